import Flint

/// Max over sliding windows (`torch.nn.MaxPool2d`); the stride defaults to the window.
public final class MaxPool2d: Module {
    let kernelSize: Size2, stride: Size2?, padding: Size2, dilation: Size2

    /// A pooling layer with a `kernelSize` window.
    public init(_ kernelSize: Size2, stride: Size2? = nil, padding: Size2 = 0, dilation: Size2 = 1) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    /// The window maxima.
    public override func forward(_ input: Tensor) -> Tensor {
        input.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation)
    }
}

/// Mean over sliding windows, padding counted as zeros (`torch.nn.AvgPool2d`).
public final class AvgPool2d: Module {
    let kernelSize: Size2, stride: Size2?, padding: Size2

    /// A pooling layer with a `kernelSize` window.
    public init(_ kernelSize: Size2, stride: Size2? = nil, padding: Size2 = 0) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    /// The window means.
    public override func forward(_ input: Tensor) -> Tensor {
        input.avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// Mean over a fixed grid of adaptive windows (`torch.nn.AdaptiveAvgPool2d`).
public final class AdaptiveAvgPool2d: Module {
    let outputSize: Size2

    /// A pooling layer whose output is `outputSize` whatever the input size.
    public init(_ outputSize: Size2) { self.outputSize = outputSize }

    /// The window means.
    public override func forward(_ input: Tensor) -> Tensor { input.adaptiveAvgPool2d(outputSize: outputSize) }
}
