import Flint
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The moment estimates Adam keeps per parameter.
public struct AdamState {
    /// Steps taken.
    public var step = 0
    /// First moment (mean of gradients).
    public var expAvg: Tensor
    /// Second moment (mean of squared gradients).
    public var expAvgSq: Tensor
}

/// Adam and AdamW's hyperparameters.
public struct AdamOptions: OptimizerOptions {
    /// Learning rate.
    public var lr: Double
    /// Decay rates of the first and second moments.
    public var betas: (Double, Double)
    /// Added to the denominator for stability.
    public var eps: Double
    /// L2 penalty (Adam) or decoupled weight decay (AdamW).
    public var weightDecay: Double

    /// Options with the given values.
    public init(lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8, weightDecay: Double = 0) {
        (self.lr, self.betas, self.eps, self.weightDecay) = (lr, betas, eps, weightDecay)
    }
}

/// Adam (`torch.optim.Adam`, foreach off); with `decoupled`, AdamW.
public class Adam: GroupedOptimizer<AdamOptions, AdamState> {
    let decoupledWeightDecay: Bool

    /// Adam over `groups`.
    public init(groups: [ParamGroup<AdamOptions>], decoupledWeightDecay: Bool = false) {
        self.decoupledWeightDecay = decoupledWeightDecay
        super.init(groups: groups)
    }

    /// Adam over `params` with one set of options.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8, weightDecay: Double = 0) {
        self.init(groups: [ParamGroup(params: params, options: AdamOptions(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay))])
    }

    /// Zero moments.
    public override func makeState(for param: Tensor, options: AdamOptions) -> AdamState {
        AdamState(expAvg: Tensor.zeros(like: param), expAvgSq: Tensor.zeros(like: param))
    }

    /// One Adam step with bias-corrected moments.
    public override func update(_ param: Tensor, grad: Tensor, options o: AdamOptions, state s: inout AdamState) {
        s.step += 1
        var g = grad
        if o.weightDecay != 0 {
            if decoupledWeightDecay { param *= 1 - o.lr * o.weightDecay } else { g = g + param * o.weightDecay }
        }
        s.expAvg += (g - s.expAvg) * (1 - o.betas.0)
        s.expAvgSq *= o.betas.1
        s.expAvgSq += g * g * (1 - o.betas.1)
        let step = Double(s.step)
        let correction1 = 1 - pow(o.betas.0, step), correction2 = 1 - pow(o.betas.1, step)
        let denominator = s.expAvgSq.sqrt() / correction2.squareRoot() + o.eps
        param -= s.expAvg * (o.lr / correction1) / denominator
    }
}

/// AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay (default 0.01).
public final class AdamW: Adam {
    /// AdamW over `groups`.
    public init(groups: [ParamGroup<AdamOptions>]) {
        super.init(groups: groups, decoupledWeightDecay: true)
    }

    /// AdamW over `params` with one set of options.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8, weightDecay: Double = 1e-2) {
        self.init(groups: [ParamGroup(params: params, options: AdamOptions(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay))])
    }
}
