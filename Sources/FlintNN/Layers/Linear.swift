import Flint

/// `y = x·Wᵀ + b` (`torch.nn.Linear`), weight then bias initialised as PyTorch's:
/// uniform in ±1/√in_features (kaiming-uniform with a = √5).
public final class Linear: Module {
    /// `[outFeatures, inFeatures]`.
    @Parameter public var weight: Tensor
    /// `[outFeatures]`, nil when built without bias.
    @OptionalParameter public var bias: Tensor?

    /// A layer from `inFeatures` to `outFeatures`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        let bound = 1 / Double(inFeatures).squareRoot()
        weight = Tensor.zeros([outFeatures, inFeatures]).uniform_(-bound, bound)
        self.bias = bias ? Tensor.zeros([outFeatures]).uniform_(-bound, bound) : nil
        super.init()
    }

    /// `x·weightᵀ + bias` over the last dimension.
    public override func forward(_ input: Tensor) -> Tensor {
        input.linear(weight: weight, bias: bias)
    }
}
