import Flint

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight
/// decay, as `torch.optim.SGD` (foreach off).
public final class SGD: GroupedOptimizer<SGD.Options, Tensor?> {
    /// SGD's hyperparameters.
    public struct Options: OptimizerOptions {
        /// Learning rate.
        public var lr: Double
        /// Momentum factor.
        public var momentum: Double = 0
        /// Dampening of the momentum.
        public var dampening: Double = 0
        /// L2 penalty added to the gradient.
        public var weightDecay: Double = 0
        /// Nesterov momentum.
        public var nesterov: Bool = false

        /// Options with the given values.
        public init(lr: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
            precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum requires a momentum and zero dampening")
            (self.lr, self.momentum, self.dampening, self.weightDecay, self.nesterov) = (lr, momentum, dampening, weightDecay, nesterov)
        }
    }

    /// SGD over `params` with one set of options.
    public convenience init(_ params: [Tensor], lr: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        self.init(groups: [ParamGroup(params: params, options: Options(lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov))])
    }

    /// No momentum buffer until the first step.
    public override func makeState(for param: Tensor, options: Options) -> Tensor? { nil }

    /// `p -= lr·d`, where d is the gradient with weight decay and momentum applied; once
    /// the momentum buffer exists, in one fused pass when the tensors allow it.
    public override func update(_ param: Tensor, grad: Tensor, options o: Options, state buffer: inout Tensor?) {
        if o.momentum != 0, let buffer, param.fusedSGDStep_(
            grad: grad, momentumBuffer: buffer, lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.weightDecay, nesterov: o.nesterov
        ) { return }
        var d = grad
        if o.weightDecay != 0 { d = d + param * o.weightDecay }
        if o.momentum != 0 {
            if let buffer {
                buffer *= o.momentum
                buffer.add_(d, alpha: 1 - o.dampening)
            } else {
                buffer = d.clone()
            }
            d = o.nesterov ? d + buffer! * o.momentum : buffer!
        }
        param.add_(d, alpha: -o.lr)
    }
}
