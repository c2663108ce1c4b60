// Shape operations. Those PyTorch implements as views share storage here too (reshape
// of viewable data, view, t, transpose, permute, squeeze, unsqueeze, expand, flatten);
// each backward maps the gradient back to the input's shape.

extension Tensor {
    /// The same data with a new shape; one size may be -1 (ViewBackward0). The strides
    /// must allow it, as in PyTorch; `reshape` copies when they do not.
    public func view(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let target = inferShape(shape, op: "view", file: file, line: line)
        guard let newStrides = Shape.viewStrides(from: self.shape, strides, to: target) else {
            fail("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead. (input \(Shape.describe(self.shape)), view \(Shape.describe(shape)))", file: file, line: line)
        }
        return viewOp(target, newStrides, location: SourceLocation(file: file, line: line))
    }

    /// The same elements in a new shape; one size may be -1. A view when the strides
    /// allow it, else a copy, as in PyTorch.
    public func reshape(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let target = inferShape(shape, op: "reshape", file: file, line: line)
        if target == self.shape && !requiresGrad { return self }
        if let newStrides = Shape.viewStrides(from: self.shape, strides, to: target) {
            return viewOp(target, newStrides, location: SourceLocation(file: file, line: line))
        }
        let copy = contiguous()
        return copy.viewOp(target, Shape.contiguousStrides(target), name: "UnsafeViewBackward0", location: SourceLocation(file: file, line: line))
    }

    /// The view of an op's fresh contiguous result in another shape, recorded as
    /// PyTorch's `_unsafe_view` (UnsafeViewBackward0).
    func unsafeView(_ target: [Int]) -> Tensor {
        viewOp(target, Shape.contiguousStrides(target), name: "UnsafeViewBackward0", location: nil)
    }

    private func viewOp(_ target: [Int], _ newStrides: [Int], name: StaticString = "ViewBackward0", location: SourceLocation?) -> Tensor {
        let out = viewing(shape: target, strides: newStrides, offset: offset)
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded(name, inputs: [self], location: location) { c in [c.grad.reshape(inputShape)] }
    }

    /// Flattens dimensions `startDim...endDim` into one (`torch.flatten`).
    public func flatten(startDim: Int = 0, endDim: Int = -1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank == 0 { return reshape([1], file: file, line: line) }
        let s = Shape.normalize(startDim, rank: rank, op: "flatten", file: file, line: line)
        let e = Shape.normalize(endDim, rank: rank, op: "flatten", file: file, line: line)
        guard s <= e else { fail("flatten() has invalid args: start_dim cannot come after end_dim", file: file, line: line) }
        if s == e { return self }
        let merged = shape[s...e].reduce(1, *)
        return reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]), file: file, line: line)
    }

    /// The transpose of a matrix (TBackward0); tensors of rank below 2 are returned as is.
    public func t(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard rank <= 2 else { fail("t() expects a tensor with <= 2 dimensions, but self is \(rank)D", file: file, line: line) }
        let out = rank < 2 ? viewing(shape: shape, strides: strides, offset: offset) : viewing(shape: shape.reversed(), strides: strides.reversed(), offset: offset)
        guard Tensor.recording(self) else { return out }
        return out.recorded("TBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in [c.grad.t()] }
    }

    /// Swaps two dimensions (TransposeBackward0).
    public func transpose(_ dim0: Int, _ dim1: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let a = Shape.normalize(dim0, rank: rank, op: "transpose", file: file, line: line)
        let b = Shape.normalize(dim1, rank: rank, op: "transpose", file: file, line: line)
        var newShape = shape, newStrides = strides
        if rank > 0 {
            newShape.swapAt(a, b)
            newStrides.swapAt(a, b)
        }
        let out = viewing(shape: newShape, strides: newStrides, offset: offset)
        guard Tensor.recording(self) else { return out }
        return out.recorded("TransposeBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in [c.grad.transpose(a, b)] }
    }

    /// Reorders the dimensions: output dimension i is input dimension `dims[i]` (PermuteBackward0).
    public func permute(_ dims: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard dims.count == rank else {
            fail("permute: number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = \(rank) is not equal to len(dims) = \(dims.count)", file: file, line: line)
        }
        let order = dims.map { Shape.normalize($0, rank: rank, op: "permute", file: file, line: line) }
        guard Set(order).count == rank else { fail("permute(): duplicate dims are not allowed.", file: file, line: line) }
        let out = viewing(shape: order.map { shape[$0] }, strides: order.map { strides[$0] }, offset: offset)
        guard Tensor.recording(self) else { return out }
        var inverse = [Int](filled: 0, count: rank)
        for (i, d) in order.enumerated() { inverse[d] = i }
        return out.recorded("PermuteBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in [c.grad.permute(inverse)] }
    }

    /// Removes every dimension of size 1 (SqueezeBackward0).
    public func squeeze() -> Tensor {
        let kept = shape.indices.filter { shape[$0] != 1 }
        return squeezing(kept, "SqueezeBackward0", location: nil)
    }

    /// Removes dimension `dim` if its size is 1 (SqueezeBackward1).
    public func squeeze(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = Shape.normalize(dim, rank: rank, op: "squeeze", file: file, line: line)
        let kept = shape.indices.filter { $0 != d || shape[$0] != 1 }
        return squeezing(kept, "SqueezeBackward1", location: SourceLocation(file: file, line: line))
    }

    /// `squeeze(dim:)` as PyTorch's internal `squeeze(dims)` records it (SqueezeBackward4).
    func squeezeDims(_ dim: Int) -> Tensor {
        let d = Shape.normalize(dim, rank: rank, op: "squeeze")
        return squeezing(shape.indices.filter { $0 != d || shape[$0] != 1 }, "SqueezeBackward4", location: nil)
    }

    private func squeezing(_ kept: [Int], _ name: StaticString, location: SourceLocation?) -> Tensor {
        let out = viewing(shape: kept.map { shape[$0] }, strides: kept.map { strides[$0] }, offset: offset)
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded(name, inputs: [self], location: location) { c in [c.grad.reshape(inputShape)] }
    }

    /// Inserts a dimension of size 1 at `dim` (UnsqueezeBackward0).
    public func unsqueeze(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = Shape.normalize(dim, rank: rank + 1, op: "unsqueeze", file: file, line: line)
        var newShape = shape, newStrides = strides
        newShape.insert(1, at: d)
        newStrides.insert(d < rank ? shape[d] * strides[d] : 1, at: d)
        let out = viewing(shape: newShape, strides: newStrides, offset: offset)
        guard Tensor.recording(self) else { return out }
        return out.recorded("UnsqueezeBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in [c.grad.squeeze(dim: d)] }
    }

    /// Repeats size-1 dimensions (and adds leading ones) without copying; -1 keeps a
    /// size (ExpandBackward0).
    public func expand(_ sizes: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard sizes.count >= rank else {
            fail("expand(\(dtype.legacyTypeName){\(Shape.describe(shape))}, size=\(Shape.describe(sizes))): the number of sizes provided (\(sizes.count)) must be greater or equal to the number of dimensions in the tensor (\(rank))", file: file, line: line)
        }
        let lead = sizes.count - rank
        var target = sizes, newStrides = [Int](filled: 0, count: sizes.count)
        for i in 0..<sizes.count {
            if i < lead {
                guard sizes[i] >= 0 else { fail("expand: -1 is not allowed in a leading, non-existing dimension \(i)", file: file, line: line) }
                continue
            }
            let old = shape[i - lead]
            if sizes[i] == -1 { target[i] = old }
            if target[i] == old {
                newStrides[i] = strides[i - lead]
            } else if old != 1 {
                fail("expand: The expanded size of the tensor (\(target[i])) must match the existing size (\(old)) at non-singleton dimension \(i).  Target sizes: \(Shape.describe(sizes)).  Tensor sizes: \(Shape.describe(shape))", file: file, line: line)
            }
        }
        if target == shape { return self }
        let out = viewing(shape: target, strides: newStrides, offset: offset)
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded("ExpandBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in [c.grad.sumTo(inputShape)] }
    }

    /// This tensor if contiguous, else a contiguous copy (CloneBackward0).
    public func contiguous() -> Tensor { isContiguous ? self : clone() }

    /// Resolves one -1 in `shape` against `count`, or stops when the sizes cannot match.
    private func inferShape(_ shape: [Int], op: String, file: StaticString, line: UInt) -> [Int] {
        var result = shape
        let known = shape.filter { $0 != -1 }.reduce(1, *)
        let unknown = shape.indices.filter { shape[$0] == -1 }
        if unknown.count == 1, known > 0, count % known == 0 {
            result[unknown[0]] = count / known
        }
        guard unknown.count <= 1, !result.contains(where: { $0 < 0 }), Shape.count(result) == count else {
            fail("\(op): shape '\(Shape.describe(shape))' is invalid for input of size \(count)", file: file, line: line)
        }
        return result
    }
}

extension Shape {
    /// Strides that view data of `shape`/`strides` as `target` without copying, or nil
    /// when a dimension would have to span two non-contiguous chunks (PyTorch's
    /// `computeStride`).
    static func viewStrides(from shape: [Int], _ strides: [Int], to target: [Int]) -> [Int]? {
        if shape.isEmpty || count(shape) == 0 || isContiguous(shape: shape, strides: strides) {
            return contiguousStrides(target)
        }
        var newStrides = [Int](filled: 0, count: target.count)
        var viewD = target.count - 1
        var chunkBase = strides[strides.count - 1]
        var tensorNumel = 1, viewNumel = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorNumel *= shape[d]
            if d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase) {
                while viewD >= 0 && (viewNumel < tensorNumel || target[viewD] == 1) {
                    newStrides[viewD] = viewNumel * chunkBase
                    viewNumel *= target[viewD]
                    viewD -= 1
                }
                if viewNumel != tensorNumel { return nil }
                if d > 0 {
                    chunkBase = strides[d - 1]
                    tensorNumel = 1
                    viewNumel = 1
                }
            }
        }
        return viewD == -1 ? newStrides : nil
    }
}
