// 2-D pooling over `[N, C, H, W]` (or `[C, H, W]`) tensors.

extension Tensor {
    /// The maximum of each window (`max_pool2d`, MaxPool2DWithIndicesBackward0: the
    /// gradient goes to the position of each maximum). `stride` defaults to the kernel size.
    public func maxPool2d(kernelSize: Size2, stride: Size2? = nil, padding: Size2 = 0, dilation: Size2 = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank == 3 { return unsqueeze(dim: 0).maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, file: file, line: line).squeeze(dim: 0) }
        guard rank == 4 else { fail("maxPool2d: expected a 3-D or 4-D input, got \(Shape.describe(shape))", file: file, line: line) }
        guard padding.height * 2 <= kernelSize.height, padding.width * 2 <= kernelSize.width else {
            fail("maxPool2d: pad should be at most half of effective kernel size, but got pad=\(padding.pair) and kernel_size=\(kernelSize.pair)", file: file, line: line)
        }
        let geometry = WindowGeometry(kernel: kernelSize.pair, stride: (stride ?? kernelSize).pair, padding: padding.pair, dilation: dilation.pair, input: (shape[2], shape[3]))
        let (oh, ow) = geometry.output
        guard oh > 0, ow > 0 else { fail("maxPool2d: output size is too small for input \(Shape.describe(shape))", file: file, line: line) }
        let (n, c) = (shape[0], shape[1])
        let x = (dtype.isFloatingPoint ? self : to(.float32)).contiguous()
        let out = Tensor(uninitializedShape: [n, c, oh, ow], dtype: x.dtype)
        let indices = Tensor(uninitializedShape: [n, c, oh * ow], dtype: .int64)
        if x.dtype == .float32 {
            Im2Col.maxPool(x.pointer(Float.self), planes: n * c, geometry: geometry, into: out.pointer(Float.self), indices: indices.pointer(Int64.self))
        } else {
            Im2Col.maxPool(x.pointer(Double.self), planes: n * c, geometry: geometry, into: out.pointer(Double.self), indices: indices.pointer(Int64.self))
        }
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded("MaxPool2DWithIndicesBackward0", inputs: [self], saving: [indices], location: SourceLocation(file: file, line: line)) { ctx in
            let planes = Tensor.zeros([n, c, inputShape[2] * inputShape[3]], dtype: ctx.grad.dtype)
            guard Tensor.recording(ctx.grad) else {
                let (g, index) = (ctx.grad.contiguous(), ctx.saved[0].contiguous())
                func run<T: FloatingTensorElement>(_: T.Type) {
                    Im2Col.maxPoolBackward(g.pointer(T.self), indices: index.pointer(Int64.self), planes: n * c, outputs: oh * ow, planeSize: inputShape[2] * inputShape[3], into: planes.pointer(T.self))
                }
                if g.dtype == .float32 { run(Float.self) } else { run(Double.self) }
                return [planes.reshape(inputShape)]
            }
            return [planes.scatterAdd(dim: 2, index: ctx.saved[0], source: ctx.grad.reshape([n, c, oh * ow])).reshape(inputShape)]
        }
    }

    /// The mean of each window, padding counted as zeros (`avg_pool2d` with
    /// `count_include_pad=True`). `stride` defaults to the kernel size.
    public func avgPool2d(kernelSize: Size2, stride: Size2? = nil, padding: Size2 = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank == 3 { return unsqueeze(dim: 0).avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding, file: file, line: line).squeeze(dim: 0) }
        guard rank == 4 else { fail("avgPool2d: expected a 3-D or 4-D input, got \(Shape.describe(shape))", file: file, line: line) }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let geometry = WindowGeometry(kernel: kernelSize.pair, stride: (stride ?? kernelSize).pair, padding: padding.pair, dilation: (1, 1), input: (h, w))
        let (oh, ow) = geometry.output
        let step = stride ?? kernelSize, kk = kernelSize.height * kernelSize.width
        let out = noGrad { reshape([n * c, 1, h, w]).im2col(kernelSize: kernelSize, padding: padding, stride: step, file: file, line: line).mean(dim: 1).reshape([n, c, oh, ow]) }
        guard Tensor.recording(self) else { return out }
        return out.recorded("AvgPool2DBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { ctx in
            let spread = ctx.grad.reshape([n * c, 1, oh * ow]).expand([n * c, kk, oh * ow]) / Double(kk)
            return [spread.col2im(outputSize: Size2(h, w), kernelSize: kernelSize, padding: padding, stride: step).reshape([n, c, h, w])]
        }
    }

    /// Averages over `outputSize` adaptive windows, rows `floor(i·H/oh)..<ceil((i+1)·H/oh)`
    /// as PyTorch's `adaptive_avg_pool2d`, computed as products with pooling matrices.
    public func adaptiveAvgPool2d(outputSize: Size2, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard rank == 3 || rank == 4 else { fail("adaptiveAvgPool2d: expected a 3-D or 4-D input, got \(Shape.describe(shape))", file: file, line: line) }
        let (h, w) = (shape[rank - 2], shape[rank - 1])
        let dtype = self.dtype.isFloatingPoint ? self.dtype : .float32
        let rows = Tensor.poolingMatrix(from: h, to: outputSize.height, dtype: dtype)
        let cols = Tensor.poolingMatrix(from: w, to: outputSize.width, dtype: dtype)
        let out = noGrad { rows.matmul(to(dtype)).matmul(cols.t()) }
        guard Tensor.recording(self) else { return out }
        let inputType = self.dtype
        return out.recorded("AdaptiveAvgPool2DBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in
            [rows.t().matmul(c.grad).matmul(cols).to(inputType)]
        }
    }

    /// The `[out, size]` matrix whose row i averages PyTorch's adaptive window i.
    private static func poolingMatrix(from size: Int, to out: Int, dtype: DType) -> Tensor {
        var values = [Double](repeating: 0, count: out * size)
        for i in 0..<out {
            let start = (i * size) / out, end = ((i + 1) * size + out - 1) / out
            for j in start..<end { values[i * size + j] = 1 / Double(end - start) }
        }
        return Tensor(flat: values, shape: [out, size], dtype: dtype)
    }
}
