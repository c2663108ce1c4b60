import Flint

/// A 2-D convolution layer (`torch.nn.Conv2d`) over `[N, C, H, W]` inputs, weight then
/// bias initialised as PyTorch's: uniform in ±1/√(C/groups·kh·kw).
public final class Conv2d: Module {
    /// `[outChannels, inChannels/groups, kh, kw]`.
    @Parameter public var weight: Tensor
    /// `[outChannels]`, nil when built without bias.
    @OptionalParameter public var bias: Tensor?
    /// Window step.
    public let stride: Size2
    /// Zero padding on each side.
    public let padding: Size2
    /// Spacing of kernel elements.
    public let dilation: Size2
    /// Number of channel groups.
    public let groups: Int

    /// A layer from `inChannels` to `outChannels` with a `kernelSize` window.
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Size2, stride: Size2 = 1, padding: Size2 = 0,
        dilation: Size2 = 1, groups: Int = 1, bias: Bool = true
    ) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0, "Conv2d: in_channels and out_channels must be divisible by groups")
        let fanIn = inChannels / groups * kernelSize.height * kernelSize.width
        let bound = 1 / Double(fanIn).squareRoot()
        weight = Tensor.zeros([outChannels, inChannels / groups, kernelSize.height, kernelSize.width]).uniform_(-bound, bound)
        self.bias = bias ? Tensor.zeros([outChannels]).uniform_(-bound, bound) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        super.init()
    }

    /// The convolution of `input` with the layer's weight and bias.
    public override func forward(_ input: Tensor) -> Tensor {
        input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
