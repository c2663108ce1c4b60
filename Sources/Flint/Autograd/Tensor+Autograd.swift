extension Tensor {
    /// Whether gradients are computed for this tensor. Setting it on a leaf turns
    /// tracking on or off (`requires_grad_()`); a non-leaf always requires grad.
    public var requiresGrad: Bool {
        get { flagsRequiresGrad || gradNode != nil }
        set { setRequiresGrad(newValue, file: #fileID, line: #line) }
    }

    /// Sets `requiresGrad` and returns this tensor, as PyTorch's `requires_grad_`.
    @discardableResult
    public func requiresGrad_(_ flag: Bool = true, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        setRequiresGrad(flag, file: file, line: line)
        return self
    }

    private func setRequiresGrad(_ newValue: Bool, file: StaticString, line: UInt) {
        if gradNode != nil {
            if !newValue {
                fail("requiresGrad: you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().", file: file, line: line)
            }
            return
        }
        if newValue && !dtype.isFloatingPoint {
            fail("requiresGrad: only Tensors of floating point dtype can require gradients (got \(dtype))", file: file, line: line)
        }
        flagsRequiresGrad = newValue
    }

    /// The accumulated gradient: set on leaves by `backward()` (and on non-leaves after
    /// `retainGrad()`); assign nil to clear it.
    public var grad: Tensor? {
        get { gradStorage }
        set { gradStorage = newValue }
    }

    /// The backward node that created this tensor; nil for tensors the user created.
    public var gradFn: Node? { gradNode }

    /// Whether this tensor is a leaf of the graph (created by the user, or not requiring grad).
    public var isLeaf: Bool { gradNode == nil }

    /// Whether this non-leaf keeps its gradient after backward.
    public var retainsGrad: Bool { retainsGradFlag }

    /// Asks a non-leaf tensor to keep its gradient in `grad` (leaves always do).
    public func retainGrad() {
        guard let node = gradNode, !retainsGradFlag else { return }
        retainsGradFlag = true
        node.retainedOutputs.append(WeakTensor(tensor: self))
    }

    /// A new leaf over the same storage and version counter, out of the graph.
    public func detach() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, base: base)
    }

    /// The same storage as a tensor that does not require grad and whose in-place
    /// changes are invisible to autograd's version checks (`tensor.data`).
    public var data: Tensor {
        Tensor(storage: Storage.aliasing(storage), shape: shape, strides: strides, offset: offset)
    }

    /// Adds a gradient arriving during backward into a retained non-leaf's `grad`.
    func accumulateRetainedGrad(_ incoming: Tensor) {
        if let existing = gradStorage {
            gradStorage = existing + incoming
        } else {
            gradStorage = isGradEnabled ? incoming : incoming.copyData(to: incoming.dtype)
        }
    }
}
