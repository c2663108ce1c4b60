import Flint

/// Batch normalization over the channel dimension (dimension 1), as PyTorch's
/// `_BatchNorm`: batch statistics in training (running averages updated with the
/// unbiased variance), running statistics in evaluation.
public class BatchNorm: Module {
    /// Per-channel scale, nil without `affine`.
    @OptionalParameter public var weight: Tensor?
    /// Per-channel shift, nil without `affine`.
    @OptionalParameter public var bias: Tensor?
    /// Running mean of the channels.
    @Buffer public var runningMean: Tensor
    /// Running (unbiased) variance of the channels.
    @Buffer public var runningVar: Tensor
    /// Batches seen in training.
    @Buffer public var numBatchesTracked: Tensor
    /// Added to the variance for stability.
    public let eps: Double
    /// Weight of the newest batch in the running averages.
    public let momentum: Double
    private let inputRanks: Set<Int>

    init(_ numFeatures: Int, eps: Double, momentum: Double, affine: Bool, inputRanks: Set<Int>) {
        weight = affine ? Tensor.ones([numFeatures]) : nil
        bias = affine ? Tensor.zeros([numFeatures]) : nil
        runningMean = Tensor.zeros([numFeatures])
        runningVar = Tensor.ones([numFeatures])
        numBatchesTracked = Tensor(0)
        self.eps = eps
        self.momentum = momentum
        self.inputRanks = inputRanks
        super.init()
    }

    /// The normalized, scaled and shifted input.
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(inputRanks.contains(input.rank), "\(type(of: self)): expected \(inputRanks.sorted().map { "\($0)D" }.joined(separator: " or ")) input (got \(input.rank)D input)")
        let dims = [0] + Array(2..<input.rank)
        var shape = [Int](repeating: 1, count: input.rank)
        shape[1] = input.shape[1]
        let mean: Tensor, variance: Tensor
        if isTraining {
            mean = input.mean(dims: dims, keepDim: true)
            variance = ((input - mean) * (input - mean)).mean(dims: dims, keepDim: true)
            let n = Double(input.count / input.shape[1])
            noGrad {
                runningMean.mul_(Tensor(1 - momentum)).add_(mean.reshape([-1]) * momentum)
                runningVar.mul_(Tensor(1 - momentum)).add_(variance.reshape([-1]) * (momentum * n / Swift.max(n - 1, 1)))
                numBatchesTracked.add_(Tensor(1))
            }
        } else {
            mean = runningMean.reshape(shape)
            variance = runningVar.reshape(shape)
        }
        var y = (input - mean) / (variance + eps).sqrt()
        if let weight, let bias { y = y * weight.reshape(shape) + bias.reshape(shape) }
        return y
    }
}

/// Batch normalization of `[N, C]` or `[N, C, L]` inputs (`torch.nn.BatchNorm1d`).
public final class BatchNorm1d: BatchNorm {
    /// Normalizes `numFeatures` channels.
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, inputRanks: [2, 3])
    }
}

/// Batch normalization of `[N, C, H, W]` inputs (`torch.nn.BatchNorm2d`).
public final class BatchNorm2d: BatchNorm {
    /// Normalizes `numFeatures` channels.
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, inputRanks: [4])
    }
}

/// Normalization over the trailing `normalizedShape` dimensions of each sample
/// (`torch.nn.LayerNorm`), with elementwise scale and shift.
public final class LayerNorm: Module {
    /// Scale, shaped `normalizedShape`, nil without `elementwiseAffine`.
    @OptionalParameter public var weight: Tensor?
    /// Shift, shaped `normalizedShape`, nil without `elementwiseAffine`.
    @OptionalParameter public var bias: Tensor?
    /// The trailing shape normalized over.
    public let normalizedShape: [Int]
    /// Added to the variance for stability.
    public let eps: Double

    /// Normalizes over trailing dimensions of `normalizedShape`.
    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Tensor.ones(normalizedShape) : nil
        bias = elementwiseAffine ? Tensor.zeros(normalizedShape) : nil
        super.init()
    }

    /// The normalized, scaled and shifted input.
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(Array(input.shape.suffix(normalizedShape.count)) == normalizedShape, "LayerNorm: input \(input.shape) does not end with normalized shape \(normalizedShape)")
        let dims = Array((input.rank - normalizedShape.count)..<input.rank)
        let mean = input.mean(dims: dims, keepDim: true)
        let centered = input - mean
        let variance = (centered * centered).mean(dims: dims, keepDim: true)
        var y = centered / (variance + eps).sqrt()
        if let weight, let bias { y = y * weight + bias }
        return y
    }
}
