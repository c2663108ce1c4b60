import CFlintKernels

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

    /// Stride 1, no padding, no dilation: every window lies inside the input and its rows
    /// are contiguous runs.
    var isDense: Bool { stride == (1, 1) && padding == (0, 0) && dilation == (1, 1) }

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
        forEachWindowRow(images: images, channels: channels, geometry: g, Unfolding(x: x, cols: cols, geometry: g))
    }

    /// The adjoint of `unfold`: adds each window element back into its plane position.
    static func fold<T: FloatingTensorElement>(
        _ cols: UnsafePointer<T>, images: Int, channels: Int, geometry g: WindowGeometry, into x: UnsafeMutablePointer<T>
    ) {
        x.update(repeating: 0, count: images * channels * g.input.0 * g.input.1)
        forEachWindowRow(images: images, channels: channels, geometry: g, Folding(cols: cols, x: x, geometry: g))
    }

    /// What unfolding or folding does with one output row of one window offset of one
    /// plane — a type rather than a closure, so the threaded walk specialises and inlines
    /// it (a closure would be called once per row).
    private protocol RowTransfer {
        /// A row of a dense window (`WindowGeometry.isDense`): `outW` contiguous input
        /// elements at `input`, the row's offset in the column matrix at `column`.
        func dense(input: Int, column: Int)
        /// Any row: the plane, the row's offset in the column matrix, the input row (nil
        /// in the padding), the input column of output column 0 (column q reads
        /// `first + q·stride`) and the output columns `lo..<hi` inside the input row.
        func row(plane: Int, column: Int, ih: Int?, first: Int, lo: Int, hi: Int)
    }

    private struct Unfolding<T: FloatingTensorElement>: RowTransfer {
        let x: UnsafePointer<T>, cols: UnsafeMutablePointer<T>, geometry: WindowGeometry

        @inline(__always) func dense(input: Int, column: Int) {
            copy(x + input, to: cols + column, count: geometry.output.1)
        }

        @inline(__always) func row(plane: Int, column: Int, ih: Int?, first: Int, lo: Int, hi: Int) {
            let (h, w) = geometry.input, ow = geometry.output.1, step = geometry.stride.1
            let out = cols + column
            guard let ih else {
                fill(out, count: ow)
                return
            }
            let row = x + plane * h * w + ih * w
            fill(out, count: lo)
            if step == 1 {
                copy(row + first + lo, to: out + lo, count: hi - lo)
            } else {
                for q in lo..<hi { out[q] = row[first &+ q &* step] }
            }
            fill(out + hi, count: ow - hi)
        }
    }

    private struct Folding<T: FloatingTensorElement>: RowTransfer {
        let cols: UnsafePointer<T>, x: UnsafeMutablePointer<T>, geometry: WindowGeometry

        @inline(__always) func dense(input: Int, column: Int) {
            add(cols + column, into: x + input, count: geometry.output.1)
        }

        @inline(__always) func row(plane: Int, column: Int, ih: Int?, first: Int, lo: Int, hi: Int) {
            let (h, w) = geometry.input, step = geometry.stride.1
            guard let ih else { return }
            let row = x + plane * h * w + ih * w, from = cols + column
            if step == 1 {
                add(from + lo, into: row + first + lo, count: hi - lo)
            } else {
                for q in lo..<hi { row[first &+ q &* step] += from[q] }
            }
        }
    }

    /// Copies a short run with vector moves (window rows are too short for `memmove`'s
    /// call to pay).
    @inline(__always)
    private static func copy<T: FloatingTensorElement>(_ source: UnsafePointer<T>, to out: UnsafeMutablePointer<T>, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            UnsafeMutableRawPointer(out + i).storeBytes(of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<T>.self), as: SIMD8<T>.self)
            i &+= 8
        }
        while i < count {
            out[i] = source[i]
            i &+= 1
        }
    }

    /// Adds a short run into `out` with vector adds.
    @inline(__always)
    private static func add<T: FloatingTensorElement>(_ source: UnsafePointer<T>, into out: UnsafeMutablePointer<T>, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            let raw = UnsafeMutableRawPointer(out + i)
            raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<T>.self) + UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<T>.self), as: SIMD8<T>.self)
            i &+= 8
        }
        while i < count {
            out[i] += source[i]
            i &+= 1
        }
    }

    /// Zeros a short run.
    @inline(__always)
    private static func fill<T: FloatingTensorElement>(_ out: UnsafeMutablePointer<T>, count: Int) {
        var i = 0
        while i < count {
            out[i] = 0
            i &+= 1
        }
    }

    /// The output columns `lo..<hi` whose input column `first + q·step` lies in `0..<width`.
    @inline(__always)
    private static func validColumns(first: Int, step: Int, count: Int, width: Int) -> (Int, Int) {
        let lo = first >= 0 ? 0 : (-first + step - 1) / step
        let hi = first >= width ? 0 : Swift.min(count, (width - 1 - first) / step + 1)
        return (Swift.min(lo, hi), hi)
    }

    /// Hands every output row of every window offset of every plane to `transfer`
    /// (planes split across threads), through `dense` when the geometry allows.
    private static func forEachWindowRow<Transfer: RowTransfer>(
        images: Int, channels: Int, geometry g: WindowGeometry, _ transfer: Transfer
    ) {
        let (h, w) = g.input, (oh, ow) = g.output, (kh, kw) = g.kernel
        let rowLength = oh * ow
        let dense = g.isDense
        Parallel.forRange(images * channels, costPerItem: 4 * kh * kw * rowLength) { range in
            for plane in range {
                var column = plane * kh * kw * rowLength
                for ki in 0..<kh {
                    for kj in 0..<kw {
                        if dense {
                            let start = plane * h * w + ki * w + kj
                            for r in 0..<oh { transfer.dense(input: start &+ r &* w, column: column &+ r &* ow) }
                        } else {
                            let first = kj * g.dilation.1 - g.padding.1
                            let (lo, hi) = validColumns(first: first, step: g.stride.1, count: ow, width: w)
                            for r in 0..<oh {
                                let ih = r * g.stride.0 - g.padding.0 + ki * g.dilation.0
                                transfer.row(plane: plane, column: column + r * ow, ih: ih >= 0 && ih < h ? ih : nil, first: first, lo: lo, hi: hi)
                            }
                        }
                        column += rowLength
                    }
                }
            }
        }
    }

    /// Max pooling's backward: adds each output gradient into its plane at the position
    /// `indices` recorded for it (planes of `planeSize` elements, `outputs` per plane;
    /// `into` must start zeroed). Planes run in parallel; positions are within planes by
    /// construction, so no checks.
    static func maxPoolBackward<T: FloatingTensorElement>(
        _ grad: UnsafePointer<T>, indices: UnsafePointer<Int64>, planes: Int, outputs: Int, planeSize: Int,
        into x: UnsafeMutablePointer<T>
    ) {
        Parallel.forRange(planes, costPerItem: 2 * outputs) { range in
            for p in range {
                let (g, index, plane) = (grad + p * outputs, indices + p * outputs, x + p * planeSize)
                for o in 0..<outputs { plane[Int(index[o])] += g[o] }
            }
        }
    }

    /// `maxPool` when no window reaches into padding: no bounds checks in the loops.
    private static func maxPoolInterior<T: FloatingTensorElement>(
        _ x: UnsafePointer<T>, planes: Int, geometry g: WindowGeometry,
        into out: UnsafeMutablePointer<T>, indices: UnsafeMutablePointer<Int64>
    ) {
        let (h, w) = g.input, (oh, ow) = g.output, (kh, kw) = g.kernel
        if g.kernel == (2, 2) && g.stride == (2, 2) && g.dilation == (1, 1) {
            maxPool2x2(x, planes: planes, height: h, width: w, into: out, indices: indices)
            return
        }
        Parallel.forRange(planes, costPerItem: oh * ow * kh * kw) { range in
            for p in range {
                let src = x + p * h * w
                var o = p * oh * ow
                for r in 0..<oh {
                    let top = r * g.stride.0
                    for q in 0..<ow {
                        let left = q * g.stride.1
                        var bestIndex = top * w + left
                        var best = src[bestIndex]
                        for ki in 0..<kh {
                            let rowStart = (top + ki * g.dilation.0) * w + left
                            for kj in 0..<kw {
                                let index = rowStart + kj * g.dilation.1
                                let v = src[index]
                                if v > best || (v.isNaN && !best.isNaN) {
                                    best = v
                                    bestIndex = index
                                }
                            }
                        }
                        out[o] = best
                        indices[o] = Int64(bestIndex)
                        o += 1
                    }
                }
            }
        }
    }

    /// The common 2×2, stride-2 window without padding: in C for float32 (selects
    /// instead of branches), four compares per output otherwise.
    private static func maxPool2x2<T: FloatingTensorElement>(
        _ x: UnsafePointer<T>, planes: Int, height h: Int, width w: Int,
        into out: UnsafeMutablePointer<T>, indices: UnsafeMutablePointer<Int64>
    ) {
        let (oh, ow) = (h / 2, w / 2)
        Parallel.forRange(planes, costPerItem: 4 * oh * ow) { range in
            if T.self == Float.self {
                flint_max_pool_2x2(UnsafeRawPointer(x + range.lowerBound * h * w).assumingMemoryBound(to: Float.self), Int64(range.count), Int64(h), Int64(w),
                                   UnsafeMutableRawPointer(out + range.lowerBound * oh * ow).assumingMemoryBound(to: Float.self), indices + range.lowerBound * oh * ow)
                return
            }
            for p in range {
                let src = x + p * h * w
                var o = p * oh * ow
                for r in 0..<oh {
                    let top = 2 * r * w
                    for q in 0..<ow {
                        let i0 = top + 2 * q
                        var best = src[i0], bestIndex = i0
                        @inline(__always) func consider(_ index: Int) {
                            let v = src[index]
                            if v > best || (v.isNaN && !best.isNaN) {
                                best = v
                                bestIndex = index
                            }
                        }
                        consider(i0 + 1)
                        consider(i0 + w)
                        consider(i0 + w + 1)
                        out[o] = best
                        indices[o] = Int64(bestIndex)
                        o += 1
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
        if g.padding == (0, 0) {
            maxPoolInterior(x, planes: planes, geometry: g, into: out, indices: indices)
            return
        }
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
