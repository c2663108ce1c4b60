/// The node at the end of every path to a leaf: adds the incoming gradient into the
/// leaf's `grad`. One accumulator serves every use of a leaf in the graphs alive at once.
final class AccumulateGrad: Node {
    /// The leaf whose gradient this node accumulates.
    let variable: Tensor

    init(variable: Tensor) {
        self.variable = variable
        super.init(name: "AccumulateGrad", edgeCount: 0, edge: { _ in .none }, location: nil, sequenceNr: .max)
    }

    override func apply(_ grad: inout Tensor?, releasingSaved: Bool) throws -> InputGradients {
        guard var incoming = grad.take() else { return [] }
        if !variable.leafHooks.isEmpty { incoming = variable.applyingLeafHooks(incoming) }
        defer { for entry in variable.postAccumulateHooks { entry.hook(variable) } }
        if variable.gradStorage == nil, !isGradEnabled, Tensor.isUnshared(&incoming), incoming.isPlainBuffer(like: variable) {
            variable.gradStorage = incoming
        } else {
            variable.accumulateGrad(incoming)
        }
        return []
    }
}

extension Tensor {
    /// Whether this tensor, once nothing else references it or its storage, can become
    /// `leaf.grad` without a copy (PyTorch's AccumulateGrad steals such gradients): a
    /// whole buffer of the leaf's shape and dtype, outside any graph.
    func isPlainBuffer(like leaf: Tensor) -> Bool {
        gradNode == nil && dtype == leaf.dtype && shape == leaf.shape && isWholeBuffer
    }

    /// Adds `incoming` into `grad` as PyTorch's AccumulateGrad does: the first gradient
    /// is stored (a private copy unless building a graph), later ones are added in place,
    /// or out of place when building a graph (`createGraph`).
    func accumulateGrad(_ incoming: Tensor) {
        let incoming = incoming.dtype == dtype ? incoming : incoming.to(dtype)
        if let existing = gradStorage {
            if isGradEnabled {
                gradStorage = existing + incoming
            } else {
                existing.assign(from: existing.copyData(to: dtype) + incoming)
                existing.bumpVersion()
            }
        } else {
            gradStorage = isGradEnabled ? incoming : incoming.copyData(to: dtype)
        }
    }

    /// The accumulator of this leaf, created on first use.
    var gradAccumulator: AccumulateGrad {
        if let existing = accumulator { return existing }
        let created = AccumulateGrad(variable: self)
        accumulator = created
        return created
    }

    /// Where this tensor's gradient flows: its `gradFn`, its accumulator if it is a leaf
    /// that requires grad, else nowhere.
    var gradientEdge: Edge {
        if let node = gradNode { return Edge(node: node, inputNr: outputNr) }
        if flagsRequiresGrad { return Edge(node: gradAccumulator, inputNr: 0) }
        return .none
    }
}
