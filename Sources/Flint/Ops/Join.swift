// Joining tensors: cat along an existing dimension, stack along a new one.

extension Tensor {
    /// Concatenates `tensors` along `dim`; all other sizes must agree (CatBackward0).
    public static func cat(_ tensors: [Tensor], dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let parts = tensors.filter { !($0.rank == 1 && $0.count == 0) }
        guard let first = parts.first ?? tensors.first else { fail("torch.cat(): expected a non-empty list of Tensors", file: file, line: line) }
        guard first.rank > 0 else { fail("zero-dimensional tensor (at position 0) cannot be concatenated", file: file, line: line) }
        let d = Shape.normalize(dim, rank: first.rank, op: "cat", file: file, line: line)
        for (i, t) in parts.enumerated() {
            guard t.rank == first.rank, t.shape.indices.allSatisfy({ $0 == d || t.shape[$0] == first.shape[$0] }) else {
                fail("torch.cat(): Sizes of tensors must match except in dimension \(d). Expected size \(first.shape) but got size \(t.shape) for tensor number \(i) in the list.", file: file, line: line)
            }
        }
        let dtype = parts.dropFirst().reduce(first.dtype) { DType.promote($0, $1.dtype) }
        var outShape = first.shape
        outShape[d] = parts.reduce(0) { $0 + $1.shape[d] }
        let out = Tensor(uninitializedShape: outShape, dtype: dtype)
        var offsets: [Int] = []
        var position = 0
        for t in parts {
            offsets.append(position)
            out.slice(dim: d, start: position, end: position + t.shape[d]).assign(from: t)
            position += t.shape[d]
        }
        guard recording(parts) else { return out }
        let sizes = parts.map { $0.shape[d] }, types = parts.map(\.dtype)
        return out.recorded("CatBackward0", inputs: parts, location: SourceLocation(file: file, line: line)) { c in
            InputGradients(types.indices.map { i in c.needs(i) ? c.grad.slice(dim: d, start: offsets[i], end: offsets[i] + sizes[i]).to(types[i]) : nil })
        }
    }

    /// Stacks same-shaped `tensors` along a new dimension `dim` (StackBackward0).
    public static func stack(_ tensors: [Tensor], dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard let first = tensors.first else { fail("stack expects a non-empty TensorList", file: file, line: line) }
        let d = Shape.normalize(dim, rank: first.rank + 1, op: "stack", file: file, line: line)
        for (i, t) in tensors.enumerated() where t.shape != first.shape {
            fail("stack expects each tensor to be equal size, but got \(Shape.describe(first.shape)) at entry 0 and \(Shape.describe(t.shape)) at entry \(i)", file: file, line: line)
        }
        let dtype = tensors.dropFirst().reduce(first.dtype) { DType.promote($0, $1.dtype) }
        var outShape = first.shape
        outShape.insert(tensors.count, at: d)
        let out = Tensor(uninitializedShape: outShape, dtype: dtype)
        for (i, t) in tensors.enumerated() { out.select(dim: d, index: i).assign(from: t) }
        guard recording(tensors) else { return out }
        let types = tensors.map(\.dtype)
        return out.recorded("StackBackward0", inputs: tensors, location: SourceLocation(file: file, line: line)) { c in
            InputGradients(types.indices.map { i in c.needs(i) ? c.grad.select(dim: d, index: i).to(types[i]) : nil })
        }
    }
}
