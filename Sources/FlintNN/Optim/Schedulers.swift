import Flint
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adjusts an optimizer's learning rates once per `step()`, as PyTorch's schedulers do
/// in their chainable form. Creating a scheduler performs its first step (epoch 0).
public class LRScheduler {
    /// The optimizer whose learning rates are set.
    public let optimizer: Optimizer
    /// The learning rates when the scheduler was created.
    public let baseLRs: [Double]
    /// The number of `step()` calls so far, starting at 0 after creation.
    public private(set) var lastEpoch = -1

    init(optimizer: Optimizer) {
        self.optimizer = optimizer
        baseLRs = optimizer.learningRates
        step()
    }

    /// Advances one epoch and sets the new learning rates.
    public func step() {
        lastEpoch += 1
        optimizer.learningRates = nextLearningRates(current: optimizer.learningRates)
    }

    /// The learning rates for `lastEpoch` from the current ones (override).
    func nextLearningRates(current: [Double]) -> [Double] { current }
}

/// Multiplies the learning rate by `gamma` every `stepSize` epochs (`StepLR`).
public final class StepLR: LRScheduler {
    let stepSize: Int, gamma: Double

    /// A step schedule.
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1) {
        (self.stepSize, self.gamma) = (stepSize, gamma)
        super.init(optimizer: optimizer)
    }

    override func nextLearningRates(current: [Double]) -> [Double] {
        lastEpoch == 0 || lastEpoch % stepSize != 0 ? current : current.map { $0 * gamma }
    }
}

/// Cosine annealing from the base rate to `etaMin` over `tMax` epochs
/// (`CosineAnnealingLR`, PyTorch's recursive form).
public final class CosineAnnealingLR: LRScheduler {
    let tMax: Int, etaMin: Double

    /// A cosine schedule.
    public init(_ optimizer: Optimizer, tMax: Int, etaMin: Double = 0) {
        (self.tMax, self.etaMin) = (tMax, etaMin)
        super.init(optimizer: optimizer)
    }

    override func nextLearningRates(current: [Double]) -> [Double] {
        let t = Double(lastEpoch), period = Double(tMax)
        if lastEpoch == 0 { return current }
        if (lastEpoch - 1 - tMax) % (2 * tMax) == 0 {
            return zip(current, baseLRs).map { lr, base in lr + (base - etaMin) * (1 - cos(Double.pi / period)) / 2 }
        }
        return current.map { lr in
            (1 + cos(Double.pi * t / period)) / (1 + cos(Double.pi * (t - 1) / period)) * (lr - etaMin) + etaMin
        }
    }
}

/// Scales the learning rate linearly from `startFactor` to `endFactor` over
/// `totalIters` epochs (`LinearLR`).
public final class LinearLR: LRScheduler {
    let startFactor: Double, endFactor: Double, totalIters: Int

    /// A linear schedule.
    public init(_ optimizer: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIters: Int = 5) {
        (self.startFactor, self.endFactor, self.totalIters) = (startFactor, endFactor, totalIters)
        super.init(optimizer: optimizer)
    }

    override func nextLearningRates(current: [Double]) -> [Double] {
        if lastEpoch == 0 { return current.map { $0 * startFactor } }
        if lastEpoch > totalIters { return current }
        let factor = 1 + (endFactor - startFactor) / (Double(totalIters) * startFactor + Double(lastEpoch - 1) * (endFactor - startFactor))
        return current.map { $0 * factor }
    }
}
