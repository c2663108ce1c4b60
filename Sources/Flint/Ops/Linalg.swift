// Matrix products: mm, bmm, dot, mv and matmul's dispatch among them.

extension Tensor {
    /// Matrix product with PyTorch's `matmul` rules: dot for 1-D·1-D, mv for 2-D·1-D,
    /// mm for 2-D·2-D, and batched products (broadcasting batch dimensions) otherwise.
    public func matmul(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let location = SourceLocation(file: file, line: line)
        switch (rank, other.rank) {
        case (0, _), (_, 0):
            fail("both arguments to matmul need to be at least 1D, but they are \(rank)D and \(other.rank)D", file: file, line: line)
        case (1, 1): return Tensor.dot(self, other, location: location)
        case (2, 1): return Tensor.mv(self, other, location: location)
        case (1, 2): return Tensor.mm(unsqueeze(dim: 0), other, location: location).squeezeDims(0)
        case (2, 2): return Tensor.mm(self, other, location: location)
        case (_, 2) where rank >= 3:
            let k = shape[rank - 1]
            let folded = Tensor.mm(reshape([-1, k]), other, location: location)
            return folded.unsafeView(Array(shape.dropLast()) + [other.shape[1]])
        default:
            return batchedMatmul(other, location: location)
        }
    }

    private func batchedMatmul(_ other: Tensor, location: SourceLocation) -> Tensor {
        let a = rank == 1 ? unsqueeze(dim: 0) : self
        let b = other.rank == 1 ? other.unsqueeze(dim: 1) : other
        let (n, k) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (k2, m) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        guard k == k2 else { Tensor.mmShapeError(a.shape, b.shape, location) }
        guard let batch = Shape.broadcast(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2))) else {
            failAt(location, "matmul: batch dimensions of \(Shape.describe(shape)) and \(Shape.describe(other.shape)) do not broadcast")
        }
        let count = Shape.count(batch)
        let a3 = a.expand(batch + [n, k]).reshape([count, n, k])
        let b3 = b.expand(batch + [k, m]).reshape([count, k, m])
        var out = Tensor.bmm(a3, b3, location: location).unsafeView(batch + [n, m])
        if rank == 1 { out = out.squeezeDims(-2) }
        if other.rank == 1 { out = out.squeezeDims(-1) }
        return out
    }

    /// `self·weightᵀ + bias` over the last dimension (`torch.nn.functional.linear`,
    /// AddmmBackward0): one GEMM reading the weight through transposed strides, the bias
    /// folded in, and gradients computed directly in each operand's layout.
    public func linear(weight: Tensor, bias: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let location = SourceLocation(file: file, line: line)
        guard rank >= 1, weight.rank == 2, shape[rank - 1] == weight.shape[1] else {
            failAt(location, "linear: mat1 and mat2 shapes cannot be multiplied (\(shape.dropLast().reduce(1, *))x\(shape.last ?? 0) and \(weight.shape.last ?? 0)x\(weight.shape.first ?? 0))")
        }
        if rank != 2 {
            let batch = Array(shape.dropLast())
            return reshape([-1, shape[rank - 1]]).linear(weight: weight, bias: bias, file: file, line: line).unsafeView(batch + [weight.shape[0]])
        }
        let (n, k, m) = (shape[0], shape[1], weight.shape[0])
        if let bias, bias.shape != [m] { failAt(location, "linear: bias of shape \(Shape.describe(bias.shape)) does not match \(m) output features") }
        let dtype = DType.promote(self.dtype, weight.dtype).isFloatingPoint ? DType.promote(self.dtype, weight.dtype) : .float32
        let (x, w) = (to(dtype), weight.to(dtype))
        let out: Tensor
        if dtype == .float32, m > n, w.strides[1] == 1, GEMM.nativeFloat != nil {
            // Wider than its batch: `(w·xᵀ)ᵀ` reads the weight in place (GEMM.wideLinear).
            out = Tensor(uninitializedShape: [n, m], dtype: .float32)
            let b = bias.map { $0.to(dtype).contiguousData() }
            withExtendedLifetime(b) {
                GEMM.wideLinear(n: n, k: k, m: m, x.pointer(Float.self), xRowStride: x.strides[0], xColStride: x.strides[1],
                                weight: w.pointer(Float.self), weightRowStride: w.strides[0], bias: b?.pointer(Float.self), into: out.pointer(Float.self))
            }
        } else {
            out = bias.map { $0.to(dtype).expand([n, m]).copyData(to: dtype) } ?? Tensor(uninitializedShape: [n, m], dtype: dtype)
            func run<T: FloatingTensorElement>(_: T.Type) {
                GEMM.multiply(m: n, n: m, k: k, x.pointer(T.self), aRowStride: x.strides[0], aColStride: x.strides[1],
                              w.pointer(T.self), bRowStride: w.strides[1], bColStride: w.strides[0],
                              into: out.pointer(T.self), ldc: m, accumulate: bias != nil)
            }
            if dtype == .float32 { run(Float.self) } else { run(Double.self) }
        }
        guard Tensor.recording([self, weight] + (bias.map { [$0] } ?? [])) else { return out }
        let types = (self.dtype, weight.dtype, bias?.dtype ?? dtype)
        return out.recorded("AddmmBackward0", inputs: [self, weight, bias], saving: [self, weight], location: location) { c in
            let (x, w) = (c.saved[0], c.saved[1])
            return [c.needs(0) ? c.grad.mm(w).to(types.0) : nil,
                    c.needs(1) ? c.grad.t().mm(x).to(types.1) : nil,
                    c.needs(2) ? c.grad.sum(dim: 0).to(types.2) : nil]
        }
    }

    /// Product of two matrices (MmBackward0).
    public func mm(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.mm(self, other, location: SourceLocation(file: file, line: line))
    }

    /// Batched product of `[b, n, k]` and `[b, k, m]` tensors (BmmBackward0).
    public func bmm(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.bmm(self, other, location: SourceLocation(file: file, line: line))
    }

    /// Inner product of two vectors (DotBackward0).
    public func dot(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.dot(self, other, location: SourceLocation(file: file, line: line))
    }

    /// Product of a matrix and a vector (MvBackward0).
    public func mv(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.mv(self, other, location: SourceLocation(file: file, line: line))
    }

    static func mm(_ a: Tensor, _ b: Tensor, location: SourceLocation?) -> Tensor {
        guard a.rank == 2, b.rank == 2 else { failAt(location, "mm: expected 2-D tensors, got \(a.rank)-D and \(b.rank)-D (shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)))") }
        guard a.shape[1] == b.shape[0] else { mmShapeError(a.shape, b.shape, location) }
        let out = product(a, b, batch: 1, n: a.shape[0], k: a.shape[1], m: b.shape[1], location: location, outShape: [a.shape[0], b.shape[1]])
        guard recording(a, b) else { return out }
        return out.recorded("MmBackward0", inputs: [a, b], saving: [a, b], location: location) { c in
            let (a, b) = (c.saved[0], c.saved[1])
            return [c.needs(0) ? c.grad.mm(b.t()) : nil, c.needs(1) ? a.t().mm(c.grad) : nil]
        }
    }

    static func bmm(_ a: Tensor, _ b: Tensor, location: SourceLocation?) -> Tensor {
        guard a.rank == 3, b.rank == 3, a.shape[0] == b.shape[0] else {
            failAt(location, "bmm: expected 3-D tensors with equal batch sizes, got shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape))")
        }
        guard a.shape[2] == b.shape[1] else { mmShapeError(a.shape, b.shape, location) }
        let out = product(a, b, batch: a.shape[0], n: a.shape[1], k: a.shape[2], m: b.shape[2], location: location, outShape: [a.shape[0], a.shape[1], b.shape[2]])
        guard recording(a, b) else { return out }
        return out.recorded("BmmBackward0", inputs: [a, b], saving: [a, b], location: location) { c in
            let (a, b) = (c.saved[0], c.saved[1])
            return [c.needs(0) ? c.grad.bmm(b.transpose(1, 2)) : nil, c.needs(1) ? a.transpose(1, 2).bmm(c.grad) : nil]
        }
    }

    static func dot(_ a: Tensor, _ b: Tensor, location: SourceLocation?) -> Tensor {
        guard a.rank == 1, b.rank == 1, a.shape == b.shape else {
            failAt(location, "inconsistent tensor size, expected tensor [\(a.count)] and src [\(b.count)] to have the same number of elements, but got \(a.count) and \(b.count) elements respectively")
        }
        let out = product(a.unsqueeze(dim: 0), b.unsqueeze(dim: 1), batch: 1, n: 1, k: a.count, m: 1, location: location, outShape: [])
        guard recording(a, b) else { return out }
        return out.recorded("DotBackward0", inputs: [a, b], saving: [a, b], location: location) { c in
            [c.needs(0) ? c.grad * c.saved[1] : nil, c.needs(1) ? c.grad * c.saved[0] : nil]
        }
    }

    static func mv(_ a: Tensor, _ b: Tensor, location: SourceLocation?) -> Tensor {
        guard a.rank == 2, b.rank == 1, a.shape[1] == b.shape[0] else {
            failAt(location, "size mismatch, got input (\(a.shape[0])), mat (\(a.shape[0])x\(a.shape[1])), vec (\(b.count))")
        }
        let out = product(a, b.unsqueeze(dim: 1), batch: 1, n: a.shape[0], k: a.shape[1], m: 1, location: location, outShape: [a.shape[0]])
        guard recording(a, b) else { return out }
        return out.recorded("MvBackward0", inputs: [a, b], saving: [a, b], location: location) { c in
            let (a, b) = (c.saved[0], c.saved[1])
            return [c.needs(0) ? c.grad.unsqueeze(dim: 1) * b : nil, c.needs(1) ? a.t().mv(c.grad) : nil]
        }
    }

    /// Runs the GEMM kernel over `batch` products of `[n, k]` and `[k, m]` operands,
    /// read through their strides (transposed views need no copy).
    private static func product(_ a: Tensor, _ b: Tensor, batch: Int, n: Int, k: Int, m: Int, location: SourceLocation?, outShape: [Int]) -> Tensor {
        let dtype = DType.promote(a.dtype, b.dtype)
        guard dtype.isFloatingPoint else {
            return product(a.to(.float64), b.to(.float64), batch: batch, n: n, k: k, m: m, location: location, outShape: outShape).to(dtype)
        }
        let (a, b) = (a.to(dtype), b.to(dtype))
        let out = Tensor(uninitializedShape: outShape, dtype: dtype)
        let ar = a.rank, br = b.rank
        let (aBatch, bBatch) = (ar == 3 ? a.strides[0] : 0, br == 3 ? b.strides[0] : 0)
        func run<T: FloatingTensorElement>(_: T.Type) {
            Parallel.forRange(batch, costPerItem: n * m * k, grain: 1 << 18) { items in
                for i in items {
                    GEMM.multiply(
                        m: n, n: m, k: k,
                        a.pointer(T.self) + i * aBatch, aRowStride: a.strides[ar - 2], aColStride: a.strides[ar - 1],
                        b.pointer(T.self) + i * bBatch, bRowStride: b.strides[br - 2], bColStride: b.strides[br - 1],
                        into: out.pointer(T.self) + i * n * m, ldc: m, accumulate: false)
                }
            }
        }
        if dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return out
    }

    private static func mmShapeError(_ a: [Int], _ b: [Int], _ location: SourceLocation?) -> Never {
        failAt(location, "matmul: mat1 and mat2 shapes cannot be multiplied (\(a.dropLast().reduce(1, *))x\(a.last ?? 0) and \(b[b.count - 2])x\(b.last ?? 0))")
    }
}
