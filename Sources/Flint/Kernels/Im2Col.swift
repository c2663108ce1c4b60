/// The geometry of a 2-D sliding window: kernel, stride, padding and dilation, and the
/// input and output plane sizes.
struct WindowGeometry: Equatable {
    let kernel: (Int, Int)
    let stride: (Int, Int)
    let padding: (Int, Int)
    let dilation: (Int, Int)
    let input: (Int, Int)

    /// Output rows and columns (PyTorch's formula).
    var output: (Int, Int) {
        ((input.0 + 2 * padding.0 - dilation.0 * (kernel.0 - 1) - 1) / stride.0 + 1,
         (input.1 + 2 * padding.1 - dilation.1 * (kernel.1 - 1) - 1) / stride.1 + 1)
    }

    static func == (a: WindowGeometry, b: WindowGeometry) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.padding == b.padding && a.dilation == b.dilation && a.input == b.input
    }
}

/// Window unfolding (im2col) and its adjoint (col2im) over contiguous planes.
enum Im2Col {
    /// For each of `images` images of `channels` planes, writes the
    /// `[channels·kh·kw, outH·outW]` matrix of window elements (zeros in the padding).
    static func unfold<T: FloatingTensorElement>(
        _ x: UnsafePointer<T>, images: Int, channels: Int, geometry g: WindowGeometry, into cols: UnsafeMutablePointer<T>
    ) {
        let (h, w) = g.input, (oh, ow) = g.output, (kh, kw) = g.kernel
        let plane = h * w, rowLength = oh * ow, perImage = channels * kh * kw * rowLength
        Parallel.forRange(images * channels, costPerItem: kh * kw * rowLength) { range in
            for ic in range {
                let image = ic / channels, c = ic % channels
                let src = x + ic * plane
                var dst = cols + image * perImage + c * kh * kw * rowLength
                for ki in 0..<kh {
                    for kj in 0..<kw {
                        for r in 0..<oh {
                            let ih = r * g.stride.0 - g.padding.0 + ki * g.dilation.0
                            let out = dst + r * ow
                            if ih < 0 || ih >= h {
                                out.update(repeating: 0, count: ow)
                                continue
                            }
                            let row = src + ih * w
                            for q in 0..<ow {
                                let iw = q * g.stride.1 - g.padding.1 + kj * g.dilation.1
                                out[q] = iw >= 0 && iw < w ? row[iw] : 0
                            }
                        }
                        dst += rowLength
                    }
                }
            }
        }
    }

    /// The adjoint of `unfold`: adds each window element back into its plane position.
    static func fold<T: FloatingTensorElement>(
        _ cols: UnsafePointer<T>, images: Int, channels: Int, geometry g: WindowGeometry, into x: UnsafeMutablePointer<T>
    ) {
        let (h, w) = g.input, (oh, ow) = g.output, (kh, kw) = g.kernel
        let plane = h * w, rowLength = oh * ow, perImage = channels * kh * kw * rowLength
        Parallel.forRange(images * channels, costPerItem: kh * kw * rowLength) { range in
            for ic in range {
                let image = ic / channels, c = ic % channels
                let dstPlane = x + ic * plane
                dstPlane.update(repeating: 0, count: plane)
                var src = cols + image * perImage + c * kh * kw * rowLength
                for ki in 0..<kh {
                    for kj in 0..<kw {
                        for r in 0..<oh {
                            let ih = r * g.stride.0 - g.padding.0 + ki * g.dilation.0
                            guard ih >= 0 && ih < h else { continue }
                            let row = dstPlane + ih * w, from = src + r * ow
                            for q in 0..<ow {
                                let iw = q * g.stride.1 - g.padding.1 + kj * g.dilation.1
                                if iw >= 0 && iw < w { row[iw] += from[q] }
                            }
                        }
                        src += rowLength
                    }
                }
            }
        }
    }

    /// Max over each window of each plane, with the flat in-plane index of the maximum
    /// (padding counts as minus infinity; NaN wins, as in PyTorch).
    static func maxPool<T: FloatingTensorElement>(
        _ x: UnsafePointer<T>, planes: Int, geometry g: WindowGeometry,
        into out: UnsafeMutablePointer<T>, indices: UnsafeMutablePointer<Int64>
    ) {
        let (h, w) = g.input, (oh, ow) = g.output, (kh, kw) = g.kernel
        Parallel.forRange(planes, costPerItem: oh * ow * kh * kw) { range in
            for p in range {
                let src = x + p * h * w
                for r in 0..<oh {
                    for q in 0..<ow {
                        var best = -T.infinity, bestIndex = -1
                        for ki in 0..<kh {
                            let ih = r * g.stride.0 - g.padding.0 + ki * g.dilation.0
                            guard ih >= 0 && ih < h else { continue }
                            for kj in 0..<kw {
                                let iw = q * g.stride.1 - g.padding.1 + kj * g.dilation.1
                                guard iw >= 0 && iw < w else { continue }
                                let v = src[ih * w + iw]
                                if bestIndex < 0 || v > best || v.isNaN {
                                    best = v
                                    bestIndex = ih * w + iw
                                    if v.isNaN { break }
                                }
                            }
                        }
                        let o = (p * oh + r) * ow + q
                        out[o] = best
                        indices[o] = Int64(bestIndex)
                    }
                }
            }
        }
    }
}
