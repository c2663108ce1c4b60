// Softmax and log-softmax along a dimension, computed stably (shifted by the maximum).

extension Tensor {
    /// `exp(x) / sum(exp(x))` along `dim` (SoftmaxBackward0: `y * (g - sum(g*y))`).
    public func softmax(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = Shape.normalize(dim, rank: rank, op: "softmax", file: file, line: line)
        let x = dtype.isFloatingPoint ? self : to(.float32)
        let out = noGrad { () -> Tensor in
            let e = (x - x.maxKeepingDim(d)).exp()
            return e / e.sum(dim: d, keepDim: true)
        }
        guard Tensor.recording(self) else { return out }
        return out.recorded("SoftmaxBackward0", inputs: [self], savingOutput: true, location: SourceLocation(file: file, line: line)) { c in
            let y = c.saved[0]
            return [y * (c.grad - (c.grad * y).sum(dim: d, keepDim: true))]
        }
    }

    /// `x - log(sum(exp(x)))` along `dim` (LogSoftmaxBackward0: `g - exp(y) * sum(g)`).
    public func logSoftmax(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = Shape.normalize(dim, rank: rank, op: "log_softmax", file: file, line: line)
        let x = dtype.isFloatingPoint ? self : to(.float32)
        let out: Tensor
        if let (rows, columns) = x.rowsAlong(d) {
            out = Tensor(uninitializedShape: shape, dtype: x.dtype)
            func run<T: FloatingTensorElement>(_: T.Type) { RowSoftmax.logSoftmax(rows: rows, columns: columns, x.pointer(T.self), into: out.pointer(T.self)) }
            if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        } else {
            out = noGrad { () -> Tensor in
                let shifted = x - x.maxKeepingDim(d)
                return shifted - shifted.exp().sum(dim: d, keepDim: true).log()
            }
        }
        guard Tensor.recording(self) else { return out }
        return out.recorded("LogSoftmaxBackward0", inputs: [self], savingOutput: true, location: SourceLocation(file: file, line: line)) { c in
            [c.grad.logSoftmaxBackward(output: c.saved[0], dim: d)]
        }
    }

    /// `self - exp(y) * sum(self)` along `d`: the gradient of log-softmax's input from its
    /// output `y` and the output's gradient `self`, in one pass over rows when the graph
    /// of the backward is not recorded, else composed of differentiable ops.
    func logSoftmaxBackward(output y: Tensor, dim d: Int) -> Tensor {
        guard !Tensor.recording(self, y), dtype == y.dtype, shape == y.shape, let (rows, columns) = y.rowsAlong(d), isContiguous else {
            return self - y.exp() * sum(dim: d, keepDim: true)
        }
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        func run<T: FloatingTensorElement>(_: T.Type) {
            RowSoftmax.logSoftmaxBackward(rows: rows, columns: columns, grad: pointer(T.self), output: y.pointer(T.self), into: out.pointer(T.self))
        }
        if dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return out
    }

    /// `(rows, columns)` when this is a contiguous float32 or float64 tensor whose
    /// dimension `d` is its last (so each row is one run of `columns` elements), else nil.
    private func rowsAlong(_ d: Int) -> (Int, Int)? {
        guard rank > 0, d == rank - 1, isContiguous, dtype == .float32 || dtype == .float64 else { return nil }
        let columns = shape[d]
        return (columns == 0 ? 0 : count / columns, columns)
    }

    /// The maximum along `dim`, kept as size 1 (not recorded; used for stable shifts).
    func maxKeepingDim(_ d: Int) -> Tensor {
        if rank == 0 { return self }
        var reduced = [Bool](filled: false, count: rank)
        reduced[d] = true
        var outShape = shape
        outShape[d] = 1
        return ReduceKernel.max.run(self, reduced: reduced, outShape: outShape)
    }
}
