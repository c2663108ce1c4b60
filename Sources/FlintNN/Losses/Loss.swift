import Flint

/// How a loss combines the per-element losses.
public enum Reduction: Sendable {
    /// Per-element losses, unreduced.
    case none
    /// Their mean (for class losses: over the targets that are not ignored).
    case mean
    /// Their sum.
    case sum

    func apply(_ losses: Tensor) -> Tensor {
        switch self {
        case .none: losses
        case .mean: losses.mean()
        case .sum: losses.sum()
        }
    }
}

/// A criterion comparing a model's output with a target.
public protocol Loss {
    /// The loss of `input` against `target`.
    func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor
}

/// Mean squared error (`torch.nn.MSELoss`).
public struct MSELoss: Loss {
    /// How element losses are combined.
    public var reduction: Reduction
    /// A criterion with `reduction` (mean by default).
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// `(input - target)²`, reduced.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        let d = input - target
        return reduction.apply(d * d)
    }
}

/// Mean absolute error (`torch.nn.L1Loss`).
public struct L1Loss: Loss {
    /// How element losses are combined.
    public var reduction: Reduction
    /// A criterion with `reduction` (mean by default).
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// `|input - target|`, reduced.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        reduction.apply((input - target).abs())
    }
}

/// Negative log-likelihood of class indices (`torch.nn.NLLLoss`): `input` holds
/// log-probabilities `[N, C]` (or `[C]`), `target` int64 class indices `[N]` (or `[]`).
public struct NLLLoss: Loss {
    /// How sample losses are combined.
    public var reduction: Reduction
    /// A target value whose samples contribute nothing.
    public var ignoreIndex: Int
    /// A criterion with `reduction` (mean by default) ignoring `ignoreIndex` (-100).
    public init(reduction: Reduction = .mean, ignoreIndex: Int = -100) {
        self.reduction = reduction
        self.ignoreIndex = ignoreIndex
    }

    /// `-input[i, target[i]]`, reduced.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        ClassLoss(ignoreIndex: ignoreIndex, reduction: reduction).loss(logProbabilities: input, target: target, smoothing: 0)
    }
}

/// Cross-entropy of logits against class indices (`torch.nn.CrossEntropyLoss`):
/// log-softmax then negative log-likelihood, with optional label smoothing.
public struct CrossEntropyLoss: Loss {
    /// How sample losses are combined.
    public var reduction: Reduction
    /// A target value whose samples contribute nothing.
    public var ignoreIndex: Int
    /// Weight ε of the uniform distribution mixed into the targets.
    public var labelSmoothing: Double
    /// A criterion with `reduction` (mean), `ignoreIndex` (-100) and `labelSmoothing` (0).
    public init(reduction: Reduction = .mean, ignoreIndex: Int = -100, labelSmoothing: Double = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "label_smoothing must be between 0.0 and 1.0. Got: \(labelSmoothing)")
        self.reduction = reduction
        self.ignoreIndex = ignoreIndex
        self.labelSmoothing = labelSmoothing
    }

    /// The cross-entropy of `input` logits `[N, C]` against int64 `target` `[N]`, reduced.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        let logProbabilities = input.logSoftmax(dim: input.rank == 1 ? 0 : 1)
        return ClassLoss(ignoreIndex: ignoreIndex, reduction: reduction).loss(logProbabilities: logProbabilities, target: target, smoothing: labelSmoothing)
    }
}

/// The shared arithmetic of NLL and cross-entropy: pick each target's log-probability,
/// mask ignored targets, mix in label smoothing, reduce over the kept targets.
private struct ClassLoss {
    let ignoreIndex: Int
    let reduction: Reduction

    func loss(logProbabilities: Tensor, target: Tensor, smoothing: Double) -> Tensor {
        let batched = logProbabilities.rank == 1 ? logProbabilities.unsqueeze(dim: 0) : logProbabilities
        let labels = target.rank == 0 ? target.unsqueeze(dim: 0) : target
        precondition(batched.rank == 2 && labels.rank == 1 && labels.shape[0] == batched.shape[0],
                     "Expected input batch_size (\(batched.shape[0])) to match target batch_size (\(labels.shape.first ?? 0)).")
        precondition(labels.dtype == .int64, "expected scalar type Long but found \(labels.dtype)")
        if smoothing == 0 && reduction != .none {
            return batched.nllLoss(target: labels, ignoreIndex: ignoreIndex, mean: reduction == .mean)
        }
        let kept = labels .!= ignoreIndex
        let safe = Tensor.where(kept, labels, Tensor(0))
        let picked = batched.gather(dim: 1, index: safe.unsqueeze(dim: 1)).squeeze(dim: 1)
        let mask = kept.to(batched.dtype)
        var losses = -picked * mask
        if smoothing > 0 {
            let uniform = -batched.mean(dim: 1) * mask
            losses = losses * (1 - smoothing) + uniform * smoothing
        }
        switch reduction {
        case .none: return target.rank == 0 ? losses.squeeze(dim: 0) : losses
        case .sum: return losses.sum()
        case .mean: return losses.sum() / mask.sum()
        }
    }
}

/// Binary cross-entropy of probabilities (`torch.nn.BCELoss`), each log clamped at -100
/// as PyTorch's.
public struct BCELoss: Loss {
    /// How element losses are combined.
    public var reduction: Reduction
    /// A criterion with `reduction` (mean by default).
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// `-(t·log p + (1-t)·log(1-p))`, reduced.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        let logP = input.log().clamp(min: -100), logQ = (1 - input).log().clamp(min: -100)
        return reduction.apply(-(target * logP + (1 - target) * logQ))
    }
}

/// Binary cross-entropy of logits (`torch.nn.BCEWithLogitsLoss`), computed stably.
public struct BCEWithLogitsLoss: Loss {
    /// How element losses are combined.
    public var reduction: Reduction
    /// A criterion with `reduction` (mean by default).
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// `max(x,0) - x·t + log(1 + e^(-|x|))`, reduced.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        reduction.apply(input.binaryCrossEntropyWithLogits(target: target))
    }
}
