// 2-D convolution through window unfolding (im2col) and GEMM. The backward formulas are
// themselves built from differentiable ops (matmul, im2col, col2im), so convolutions
// are differentiable twice.

/// A size or step given per spatial dimension, written `3` or `[3, 2]`.
public struct Size2: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// The value for rows.
    public let height: Int
    /// The value for columns.
    public let width: Int

    /// Explicit values.
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// The same value in both dimensions.
    public init(integerLiteral value: Int) { self.init(value, value) }

    /// `[height, width]`, or `[n]` for both.
    public init(arrayLiteral elements: Int...) {
        precondition(elements.count == 1 || elements.count == 2, "Size2 takes one or two values")
        self.init(elements[0], elements.count == 2 ? elements[1] : elements[0])
    }

    var pair: (Int, Int) { (height, width) }
}

extension Tensor {
    /// A 2-D convolution (cross-correlation, as PyTorch's `conv2d`) of an `[N, C, H, W]`
    /// (or `[C, H, W]`) input with `[Cout, C/groups, kh, kw]` weights (ConvolutionBackward0).
    public func conv2d(
        weight: Tensor, bias: Tensor? = nil, stride: Size2 = 1, padding: Size2 = 0, dilation: Size2 = 1,
        groups: Int = 1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if rank == 3 {
            return unsqueeze(dim: 0).conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups, file: file, line: line).squeeze(dim: 0)
        }
        let location = SourceLocation(file: file, line: line)
        guard rank == 4, weight.rank == 4 else {
            failAt(location, "conv2d: expected a 4-D input and 4-D weight, got input \(Shape.describe(shape)) and weight \(Shape.describe(weight.shape))")
        }
        let (n, channels, cout) = (shape[0], shape[1], weight.shape[0])
        guard groups > 0, cout % groups == 0 else {
            failAt(location, "conv2d: Given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, but got weight of size \(Shape.describe(weight.shape)) instead")
        }
        guard weight.shape[1] * groups == channels else {
            failAt(location, "conv2d: expected input \(Shape.describe(shape)) to have \(weight.shape[1] * groups) channels (weight \(Shape.describe(weight.shape)), groups=\(groups)), but got \(channels) channels instead")
        }
        if let bias, bias.shape != [cout] {
            failAt(location, "conv2d: bias of shape \(Shape.describe(bias.shape)) does not match \(cout) output channels")
        }
        let geometry = WindowGeometry(kernel: (weight.shape[2], weight.shape[3]), stride: stride.pair, padding: padding.pair, dilation: dilation.pair, input: (shape[2], shape[3]))
        let (oh, ow) = geometry.output
        guard oh > 0, ow > 0 else {
            failAt(location, "conv2d: kernel \(weight.shape[2])x\(weight.shape[3]) (dilation \(dilation.pair)) is larger than the padded input \(shape[2])x\(shape[3])")
        }
        let dtype = DType.promote(self.dtype, weight.dtype).isFloatingPoint ? DType.promote(self.dtype, weight.dtype) : .float32
        let x = to(dtype).contiguous(), w = weight.to(dtype).contiguous()
        let (cinG, coutG) = (channels / groups, cout / groups)
        let (kk, l) = (geometry.kernel.0 * geometry.kernel.1, oh * ow)
        let out = Tensor(uninitializedShape: [n, cout, oh, ow], dtype: dtype)
        let recording = Tensor.recording([self, weight] + (bias.map { [$0] } ?? []))
        // The columns, kept for the weight gradient's dot-product kernel when that will
        // run (saves unfolding the input again in backward, as PyTorch's slow_conv2d
        // keeps its `finput`); not under saved-tensor hooks, which see only the input
        // and the weight, as in PyTorch.
        let columns = Tensor(uninitializedShape: [n, channels * kk, l], dtype: dtype)
        let keepsColumns = recording && weight.requiresGrad && dtype == .float32 && GEMM.nativeDot != nil && SavedTensorHookStack.innermost == nil
        func run<T: FloatingTensorElement>(_: T.Type) {
            if let bias {
                let b = bias.to(dtype).contiguous()
                Elementwise.fillPlanes(b.pointer(T.self), images: n, channels: cout, planeSize: l, into: out.pointer(T.self))
            }
            let cols = columns.pointer(T.self)
            Im2Col.unfold(x.pointer(T.self), images: n, channels: channels, geometry: geometry, into: cols)
            Parallel.forRange(n, costPerItem: cout * l * cinG * kk, grain: 1 << 18) { images in
                for image in images {
                    for g in 0..<groups {
                        GEMM.multiply(
                            m: coutG, n: l, k: cinG * kk,
                            w.pointer(T.self) + g * coutG * cinG * kk, aRowStride: cinG * kk, aColStride: 1,
                            cols + (image * channels + g * cinG) * kk * l, bRowStride: l, bColStride: 1,
                            into: out.pointer(T.self) + (image * cout + g * coutG) * l, ldc: l, accumulate: bias != nil)
                    }
                }
            }
        }
        if dtype == .float32 { run(Float.self) } else { run(Double.self) }
        guard recording else { return out }
        let (inputShape, weightShape, types) = (shape, weight.shape, (self.dtype, weight.dtype, bias?.dtype ?? dtype))
        return out.recorded("ConvolutionBackward0", inputs: [self, weight, bias], saving: keepsColumns ? [self, weight, columns] : [self, weight], location: location) { c in
            let (x, w) = (c.saved[0], c.saved[1])
            let gf = c.grad.reshape([n, groups, coutG, l])
            var grads = InputGradients(noneFor: 3)
            if c.needs(0) {
                let wr = w.to(c.grad.dtype).reshape([groups, coutG, cinG * kk])
                let cols = wr.transpose(1, 2).matmul(gf).reshape([n, channels * kk, l])
                grads[0] = cols.col2im(outputSize: Size2(inputShape[2], inputShape[3]), kernelSize: Size2(weightShape[2], weightShape[3]), dilation: dilation, padding: padding, stride: stride).to(types.0)
            }
            if c.needs(1) {
                // The kept columns serve only a backward that is not recorded; with
                // createGraph they are unfolded from the input again, differentiably.
                let kept = c.saved.count == 3 && !isGradEnabled ? c.saved[2] : nil
                let cols = kept?.to(c.grad.dtype) ?? x.to(c.grad.dtype).im2col(kernelSize: Size2(weightShape[2], weightShape[3]), dilation: dilation, padding: padding, stride: stride)
                if !Tensor.recording(c.grad, cols), let gw = Tensor.convolutionWeightGradient(c.grad, cols, weightShape: weightShape, groups: groups) {
                    grads[1] = gw.to(types.1)
                } else {
                    grads[1] = gf.matmul(cols.reshape([n, groups, cinG * kk, l]).transpose(-1, -2)).sum(dim: 0).reshape(weightShape).to(types.1)
                }
            }
            if c.needs(2) { grads[2] = c.grad.sum(dims: [0, 2, 3]).to(types.2) }
            return grads
        }
    }

    /// `Σ_n gradOutput[n]·columns[n]ᵀ` per group — the weight gradient — by dot products
    /// over each image's output positions, without packing or a per-image product
    /// (float32 on CPUs with the kernel; nil otherwise, and the caller composes it from
    /// differentiable ops, as it must when recording for double backward).
    static func convolutionWeightGradient(_ gradOutput: Tensor, _ columns: Tensor, weightShape: [Int], groups: Int) -> Tensor? {
        guard gradOutput.dtype == .float32, GEMM.nativeDot != nil else { return nil }
        let (g, x) = (gradOutput.contiguous(), columns.contiguous())
        let (images, cout, l, windows) = (g.shape[0], g.shape[1], g.shape[2] * g.shape[3], x.shape[1])
        let (coutG, rowsG) = (cout / groups, windows / groups)
        let out = Tensor(uninitializedShape: weightShape, dtype: .float32)
        for group in 0..<groups {
            GEMM.sumOfProducts(
                m: coutG, n: rowsG, length: l, segments: images,
                g.pointer(Float.self) + group * coutG * l, lda: l, aSegment: cout * l,
                x.pointer(Float.self) + group * rowsG * l, ldb: l, bSegment: windows * l,
                into: out.pointer(Float.self) + group * coutG * rowsG, ldc: rowsG, accumulate: false)
        }
        return out
    }

    /// Extracts sliding windows of an `[N, C, H, W]` tensor into `[N, C·kh·kw, L]` columns
    /// (`torch.nn.functional.unfold`, Im2ColBackward0).
    public func im2col(kernelSize: Size2, dilation: Size2 = 1, padding: Size2 = 0, stride: Size2 = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard rank == 4 else { fail("im2col: expected a 4-D input, got \(Shape.describe(shape))", file: file, line: line) }
        let geometry = WindowGeometry(kernel: kernelSize.pair, stride: stride.pair, padding: padding.pair, dilation: dilation.pair, input: (shape[2], shape[3]))
        let (oh, ow) = geometry.output
        guard oh > 0, ow > 0 else { fail("im2col: the window does not fit the input \(Shape.describe(shape))", file: file, line: line) }
        let (n, c, kk) = (shape[0], shape[1], kernelSize.height * kernelSize.width)
        let x = (dtype.isFloatingPoint ? self : to(.float32)).contiguous()
        let out = Tensor(uninitializedShape: [n, c * kk, oh * ow], dtype: x.dtype)
        if x.dtype == .float32 {
            Im2Col.unfold(x.pointer(Float.self), images: n, channels: c, geometry: geometry, into: out.pointer(Float.self))
        } else {
            Im2Col.unfold(x.pointer(Double.self), images: n, channels: c, geometry: geometry, into: out.pointer(Double.self))
        }
        guard Tensor.recording(self) else { return out }
        let size = Size2(shape[2], shape[3])
        return out.recorded("Im2ColBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in
            [c.grad.col2im(outputSize: size, kernelSize: kernelSize, dilation: dilation, padding: padding, stride: stride)]
        }
    }

    /// Sums `[N, C·kh·kw, L]` window columns back into `[N, C, H, W]` planes
    /// (`torch.nn.functional.fold`, Col2ImBackward0), the adjoint of `im2col`.
    public func col2im(outputSize: Size2, kernelSize: Size2, dilation: Size2 = 1, padding: Size2 = 0, stride: Size2 = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let kk = kernelSize.height * kernelSize.width
        let geometry = WindowGeometry(kernel: kernelSize.pair, stride: stride.pair, padding: padding.pair, dilation: dilation.pair, input: outputSize.pair)
        let (oh, ow) = geometry.output
        guard rank == 3, shape[1] % kk == 0, shape[2] == oh * ow else {
            fail("col2im: expected [N, C*\(kk), \(oh * ow)] columns for output size \(outputSize.pair), got \(Shape.describe(shape))", file: file, line: line)
        }
        let (n, c) = (shape[0], shape[1] / kk)
        let cols = (dtype.isFloatingPoint ? self : to(.float32)).contiguous()
        let out = Tensor(uninitializedShape: [n, c, outputSize.height, outputSize.width], dtype: cols.dtype)
        if cols.dtype == .float32 {
            Im2Col.fold(cols.pointer(Float.self), images: n, channels: c, geometry: geometry, into: out.pointer(Float.self))
        } else {
            Im2Col.fold(cols.pointer(Double.self), images: n, channels: c, geometry: geometry, into: out.pointer(Double.self))
        }
        guard Tensor.recording(self) else { return out }
        return out.recorded("Col2ImBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in
            [c.grad.im2col(kernelSize: kernelSize, dilation: dilation, padding: padding, stride: stride)]
        }
    }
}
