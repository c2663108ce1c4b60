// Copies and dtype conversion.

extension Tensor {
    /// A contiguous copy of the data (CloneBackward0: the gradient passes through).
    public func clone() -> Tensor {
        let out = copyData(to: dtype)
        guard Tensor.recording(self) else { return out }
        return out.recorded("CloneBackward0", inputs: [self]) { c in [c.grad] }
    }

    /// This tensor converted to `dtype`; itself when already of that type
    /// (ToCopyBackward0: the gradient is converted back). Consuming, so a temporary
    /// passes through unchanged without a second reference.
    public consuming func to(_ dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let out = copyData(to: dtype)
        guard Tensor.recording(self), dtype.isFloatingPoint else { return out }
        let original = self.dtype
        return out.recorded("ToCopyBackward0", inputs: [self]) { c in [c.grad.to(original)] }
    }
}
