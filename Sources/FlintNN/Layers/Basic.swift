import Flint

/// Zeroes each element with probability `p` in training and scales the rest by
/// `1/(1-p)` (`torch.nn.Dropout`); the identity in evaluation.
public final class Dropout: Module {
    /// Probability of zeroing an element.
    public let p: Double

    /// A dropout layer.
    public init(_ p: Double = 0.5) {
        precondition(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got \(p)")
        self.p = p
    }

    /// The input with random elements zeroed (training) or unchanged (evaluation).
    public override func forward(_ input: Tensor) -> Tensor {
        guard isTraining && p > 0 else { return input }
        if p == 1 { return input * 0 }
        let keep = (Tensor.rand(input.shape, dtype: input.dtype) .>= p).to(input.dtype)
        return input * keep / (1 - p)
    }
}

/// A lookup table of `numEmbeddings` vectors of size `embeddingDim`
/// (`torch.nn.Embedding`), initialised from N(0, 1) as PyTorch's.
public final class Embedding: Module {
    /// `[numEmbeddings, embeddingDim]`.
    @Parameter public var weight: Tensor

    /// A table of `numEmbeddings` rows.
    public init(_ numEmbeddings: Int, _ embeddingDim: Int) {
        weight = Tensor.zeros([numEmbeddings, embeddingDim]).normal_()
        super.init()
    }

    /// The rows for an int64 tensor of indices: shape `indices.shape + [embeddingDim]`.
    public override func forward(_ indices: Tensor) -> Tensor {
        let dim = weight.shape[1]
        let flat = indices.reshape([-1, 1]).expand([indices.count, dim])
        return weight.gather(dim: 0, index: flat).reshape(indices.shape + [dim])
    }
}

/// Flattens dimensions `startDim...endDim` (`torch.nn.Flatten`, from dimension 1 by default).
public final class Flatten: Module {
    let startDim: Int, endDim: Int

    /// A flattening layer.
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
    }

    /// The flattened input.
    public override func forward(_ input: Tensor) -> Tensor { input.flatten(startDim: startDim, endDim: endDim) }
}

/// Runs modules in order, each on the previous one's output (`torch.nn.Sequential`);
/// its children are named "0", "1", ... as in PyTorch.
public final class Sequential: Module {
    /// The layers, in order.
    public let layers: [Module]

    /// A sequence of `layers`.
    public init(_ layers: [Module]) { self.layers = layers }

    /// A sequence of `layers`.
    public convenience init(_ layers: Module...) { self.init(layers) }

    /// The layers numbered from 0.
    public override var namedChildren: [(String, Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }

    /// The output of the last layer.
    public override func forward(_ input: Tensor) -> Tensor { layers.reduce(input) { $1($0) } }
}
