// Index-driven ops along one dimension: gather and scatter-add, each the other's adjoint.

extension Tensor {
    /// `out[..., j, ...] = self[..., index[..., j, ...], ...]` along `dim` (`torch.gather`,
    /// GatherBackward0). `index` is int64 with this tensor's shape except along `dim`.
    public func gather(dim: Int, index: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = Shape.normalize(dim, rank: rank, op: "gather", file: file, line: line)
        let (outer, inner) = checkIndex(index, dim: d, op: "gather", file: file, line: line)
        let x = contiguous(), idx = index.contiguous()
        let out = Tensor(uninitializedShape: index.shape, dtype: dtype)
        func run<T: TensorElement>(_: T.Type) {
            GatherScatter.gather(x.pointer(T.self), size: shape[d], idx.pointer(Int64.self), outer: outer, indexSize: index.shape[d], inner: inner, into: out.pointer(T.self))
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        case .bool: run(Bool.self)
        }
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded("GatherBackward0", inputs: [self], saving: [index], location: SourceLocation(file: file, line: line)) { c in
            [Tensor.zeros(inputShape, dtype: c.grad.dtype).scatterAdd(dim: d, index: c.saved[0], source: c.grad)]
        }
    }

    /// A copy of this tensor with `source` added at `index` along `dim`
    /// (`torch.scatter_add`, ScatterAddBackward0). `index` and `source` share a shape.
    public func scatterAdd(dim: Int, index: Tensor, source: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = Shape.normalize(dim, rank: rank, op: "scatterAdd", file: file, line: line)
        guard source.shape == index.shape else {
            fail("scatterAdd: index \(Shape.describe(index.shape)) and source \(Shape.describe(source.shape)) must have the same shape", file: file, line: line)
        }
        let (outer, inner) = checkIndex(index, dim: d, op: "scatterAdd", file: file, line: line)
        let out = copyData(to: dtype), src = source.to(dtype).contiguous(), idx = index.contiguous()
        func run<T: NumericTensorElement>(_: T.Type) {
            GatherScatter.scatterAdd(src.pointer(T.self), idx.pointer(Int64.self), outer: outer, indexSize: index.shape[d], inner: inner, into: out.pointer(T.self), size: shape[d])
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        case .bool: fail("scatterAdd: not implemented for bool tensors", file: file, line: line)
        }
        guard Tensor.recording(self, source) else { return out }
        let sourceType = source.dtype
        return out.recorded("ScatterAddBackward0", inputs: [self, source], saving: [index], location: SourceLocation(file: file, line: line)) { c in
            [c.needs(0) ? c.grad : nil, c.needs(1) ? c.grad.gather(dim: d, index: c.saved[0]).to(sourceType) : nil]
        }
    }

    /// Validates an index for `dim` (int64, same rank, same sizes off `dim`, in range) and
    /// returns the products of the sizes before and after `dim`.
    private func checkIndex(_ index: Tensor, dim d: Int, op: String, file: StaticString, line: UInt) -> (Int, Int) {
        guard index.dtype == .int64 else { fail("\(op): Expected dtype int64 for index, got \(index.dtype)", file: file, line: line) }
        guard index.rank == rank, (0..<rank).allSatisfy({ $0 == d || index.shape[$0] == shape[$0] }) else {
            fail("\(op): index \(Shape.describe(index.shape)) must match the tensor's shape \(Shape.describe(shape)) except in dimension \(d)", file: file, line: line)
        }
        let values = index.scalars(as: Int64.self)
        if let bad = values.first(where: { $0 < 0 || $0 >= shape[d] }) {
            fail("\(op): index \(bad) is out of bounds for dimension \(d) with size \(shape[d])", file: file, line: line)
        }
        return (shape[..<d].reduce(1, *), shape[(d + 1)...].reduce(1, *))
    }
}
