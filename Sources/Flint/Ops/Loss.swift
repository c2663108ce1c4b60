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
}
