import Flint

/// RMSprop (`torch.optim.RMSprop`, foreach off), optionally centered and with momentum.
public final class RMSprop: GroupedOptimizer<RMSprop.Options, RMSprop.State> {
    /// RMSprop's hyperparameters.
    public struct Options: OptimizerOptions {
        /// Learning rate.
        public var lr: Double
        /// Smoothing constant of the squared-gradient average.
        public var alpha: Double
        /// Added to the denominator for stability.
        public var eps: Double
        /// L2 penalty added to the gradient.
        public var weightDecay: Double
        /// Momentum factor.
        public var momentum: Double
        /// Normalize by the variance estimate instead of the second moment.
        public var centered: Bool

        /// Options with the given values.
        public init(lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
            (self.lr, self.alpha, self.eps, self.weightDecay, self.momentum, self.centered) = (lr, alpha, eps, weightDecay, momentum, centered)
        }
    }

    /// Running averages per parameter.
    public struct State {
        /// Mean of squared gradients.
        public var squareAvg: Tensor
        /// Mean of gradients (centered only).
        public var gradAvg: Tensor
        /// Momentum buffer.
        public var momentumBuffer: Tensor
    }

    /// RMSprop over `params` with one set of options.
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        self.init(groups: [ParamGroup(params: params, options: Options(lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay, momentum: momentum, centered: centered))])
    }

    /// Zero averages.
    public override func makeState(for param: Tensor, options: Options) -> State {
        State(squareAvg: Tensor.zeros(like: param), gradAvg: Tensor.zeros(like: param), momentumBuffer: Tensor.zeros(like: param))
    }

    /// One RMSprop step.
    public override func update(_ param: Tensor, grad: Tensor, options o: Options, state s: inout State) {
        var g = grad
        if o.weightDecay != 0 { g = g + param * o.weightDecay }
        s.squareAvg *= o.alpha
        s.squareAvg += g * g * (1 - o.alpha)
        var average: Tensor
        if o.centered {
            s.gradAvg += (g - s.gradAvg) * (1 - o.alpha)
            average = (s.squareAvg - s.gradAvg * s.gradAvg).sqrt()
        } else {
            average = s.squareAvg.sqrt()
        }
        average = average + o.eps
        if o.momentum > 0 {
            s.momentumBuffer *= o.momentum
            s.momentumBuffer += g / average
            param -= s.momentumBuffer * o.lr
        } else {
            param -= g * o.lr / average
        }
    }
}

/// Adagrad (`torch.optim.Adagrad`, foreach off).
public final class Adagrad: GroupedOptimizer<Adagrad.Options, Adagrad.State> {
    /// Adagrad's hyperparameters.
    public struct Options: OptimizerOptions {
        /// Learning rate.
        public var lr: Double
        /// Decay of the learning rate per step.
        public var lrDecay: Double
        /// L2 penalty added to the gradient.
        public var weightDecay: Double
        /// Starting value of the squared-gradient sum.
        public var initialAccumulatorValue: Double
        /// Added to the denominator for stability.
        public var eps: Double

        /// Options with the given values.
        public init(lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0, initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
            (self.lr, self.lrDecay, self.weightDecay, self.initialAccumulatorValue, self.eps) = (lr, lrDecay, weightDecay, initialAccumulatorValue, eps)
        }
    }

    /// The running sum per parameter.
    public struct State {
        /// Steps taken.
        public var step = 0
        /// Sum of squared gradients.
        public var sum: Tensor
    }

    /// Adagrad over `params` with one set of options.
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0, initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
        self.init(groups: [ParamGroup(params: params, options: Options(lr: lr, lrDecay: lrDecay, weightDecay: weightDecay, initialAccumulatorValue: initialAccumulatorValue, eps: eps))])
    }

    /// The initial accumulator.
    public override func makeState(for param: Tensor, options: Options) -> State {
        State(sum: Tensor.full(param.shape, options.initialAccumulatorValue, dtype: param.dtype))
    }

    /// One Adagrad step.
    public override func update(_ param: Tensor, grad: Tensor, options o: Options, state s: inout State) {
        s.step += 1
        var g = grad
        if o.weightDecay != 0 { g = g + param * o.weightDecay }
        let clr = o.lr / (1 + Double(s.step - 1) * o.lrDecay)
        s.sum += g * g
        param -= g * clr / (s.sum.sqrt() + o.eps)
    }
}
