// Loss kernels that need their own derivative for exactness.

extension Tensor {
    /// Elementwise binary cross-entropy of logits against `target` probabilities,
    /// unreduced and stable for large logits: `max(x,0) - x·t + log(1 + e^(-|x|))`
    /// (BinaryCrossEntropyWithLogitsBackward0: `grad·(sigmoid(x) - t)` for the logits,
    /// `-grad·x` for the target).
    public func binaryCrossEntropyWithLogits(target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard Shape.broadcast(shape, target.shape) == shape else {
            fail("binaryCrossEntropyWithLogits: target size \(Shape.describe(target.shape)) must be the same as input size \(Shape.describe(shape))", file: file, line: line)
        }
        let out = noGrad { clamp(min: 0) - self * target + ((-abs()).exp() + 1).log() }
        guard Tensor.recording(self, target) else { return out }
        let (targetShape, targetType) = (target.shape, target.dtype)
        return out.recorded("BinaryCrossEntropyWithLogitsBackward0", inputs: [self, target], saving: [self, target], location: SourceLocation(file: file, line: line)) { c in
            let (x, t) = (c.saved[0], c.saved[1])
            return [c.needs(0) ? c.grad * (x.sigmoid() - t) : nil, c.needs(1) ? (-(c.grad * x)).sumTo(targetShape).to(targetType) : nil]
        }
    }

    /// Negative log-likelihood of int64 class indices `target` `[N]` under
    /// log-probabilities `[N, C]` (`torch.nn.functional.nll_loss`), summed, or averaged
    /// over the targets that are not `ignoreIndex` when `mean` (NaN when every target is
    /// ignored). NllLossBackward0: `-grad` at each kept target, divided by their count
    /// when averaged, zero elsewhere.
    public func nllLoss(target: Tensor, ignoreIndex: Int = -100, mean: Bool = true, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard rank == 2, target.rank == 1, target.shape[0] == shape[0] else {
            fail("nll_loss: expected input [N, C] and target [N], got \(Shape.describe(shape)) and \(Shape.describe(target.shape))", file: file, line: line)
        }
        guard target.dtype == .int64 else { fail("expected scalar type Long but found \(target.dtype)", file: file, line: line) }
        guard dtype.isFloatingPoint else { fail("nll_loss: expected a floating-point input, got \(dtype)", file: file, line: line) }
        let (rows, classes) = (shape[0], shape[1])
        let labels = target.scalars(as: Int64.self)
        var kept = 0
        for label in labels where label != ignoreIndex {
            guard label >= 0 && label < classes else { fail("Target \(label) is out of bounds.", file: file, line: line) }
            kept += 1
        }
        let x = contiguous()
        func total<T: FloatingTensorElement>(_: T.Type) -> Double {
            let p = x.pointer(T.self)
            var sum = 0.0
            for (i, label) in labels.enumerated() where label != ignoreIndex { sum -= Double(p[i * classes + Int(label)]) }
            return sum
        }
        let divisor = mean ? Double(kept) : 1
        let out = Tensor((dtype == .float32 ? total(Float.self) : total(Double.self)) / divisor, dtype: dtype)
        guard Tensor.recording(self) else { return out }
        let type = dtype
        return out.recorded("NllLossBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in
            let weights = Tensor.zeros([rows, classes], dtype: type)
            func fill<T: FloatingTensorElement>(_: T.Type) {
                let w = weights.pointer(T.self)
                for (i, label) in labels.enumerated() where label != ignoreIndex { w[i * classes + Int(label)] = T(-1 / divisor) }
            }
            if type == .float32 { fill(Float.self) } else { fill(Double.self) }
            return [c.grad * weights]
        }
    }
}
