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
        let out = noGrad { () -> Tensor in
            let shifted = x - x.maxKeepingDim(d)
            return shifted - shifted.exp().sum(dim: d, keepDim: true).log()
        }
        guard Tensor.recording(self) else { return out }
        return out.recorded("LogSoftmaxBackward0", inputs: [self], savingOutput: true, location: SourceLocation(file: file, line: line)) { c in
            [c.grad - c.saved[0].exp() * c.grad.sum(dim: d, keepDim: true)]
        }
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
