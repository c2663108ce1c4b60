// Fused optimizer steps for FlintNN's optimizers: one pass over a parameter, its
// gradient and its state. Not recorded; callers fall back to elementwise ops when a
// step does not qualify.

extension Tensor {
    /// One SGD-with-momentum step on this parameter in place: `buffer = momentum·buffer +
    /// (1 − dampening)·d` and `self −= lr·(nesterov ? d + momentum·buffer : buffer)`, where
    /// `d = grad + weightDecay·self`. Returns false, changing nothing, unless the three
    /// tensors are contiguous, of one floating dtype and shape, and nothing is recorded.
    package func fusedSGDStep_(
        grad: Tensor, momentumBuffer buffer: Tensor,
        lr: Double, momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool
    ) -> Bool {
        let tensors = [self, grad, buffer]
        guard dtype.isFloatingPoint, !(isGradEnabled && requiresGrad), tensors.allSatisfy({ $0.dtype == dtype && $0.shape == shape && $0.isContiguous && $0.tangent == nil }),
              buffer.storage !== storage, grad.storage !== storage, grad.storage !== buffer.storage else { return false }
        func run<T: FloatingTensorElement>(_: T.Type) {
            let h = FusedUpdates.SGD(negativeLr: T(-lr), momentum: T(momentum), oneMinusDampening: T(1 - dampening), weightDecay: T(weightDecay), nesterov: nesterov)
            FusedUpdates.sgd(count: count, param: pointer(T.self), grad: grad.pointer(T.self), buffer: buffer.pointer(T.self), h)
        }
        if dtype == .float32 { run(Float.self) } else { run(Double.self) }
        bumpVersion()
        buffer.bumpVersion()
        return true
    }
}
