import CFlintKernels

/// General matrix multiply `C = A·B (+ C)`: packed, cache-blocked, with a register-tiled
/// micro-kernel, split across threads by rows (whole micro-tiles) or, for few rows, by
/// columns. For float32 the micro-kernel is chosen at run time from the CPU (AVX-512
/// 12×32 or AVX2 6×16 FMA kernels, in C); otherwise, and for float64, a portable SIMD
/// kernel of 6×16 outputs.
enum GEMM {
    static let depthBlock = 256
    static let rowBlock = 72
    static let colBlock = 2048

    /// A micro-kernel: computes (or adds) a tile of C of up to `rows × columns` elements
    /// from packed slivers; edge tiles are stored in place. A float32 kernel in C is
    /// called directly through its function pointer (a Swift closure around it costs
    /// a tenth of a small product's time); without one the portable kernel runs.
    struct MicroKernel<T>: @unchecked Sendable {
        let name: String
        let rows: Int
        let columns: Int
        /// The C kernel (float32 only), or nil for the portable kernel.
        let native: flint_sgemm_micro_kernel?
        /// The C packing of the kernel's instruction set (float32 only); nil for the
        /// portable kernel, whose float32 slivers are packed by `flint_sgemm_pack`.
        let nativePack: flint_sgemm_packer?
    }

    /// The C kernel for the named instruction set, if this CPU has it.
    static func nativeKernel(named name: String) -> MicroKernel<Float>? {
        wrap(flint_sgemm_kernel_named(name))
    }

    /// The fastest float32 kernel of this CPU, if any.
    static let nativeFloat: MicroKernel<Float>? = wrap(flint_sgemm_select())

    private static func wrap(_ info: flint_sgemm_kernel_info) -> MicroKernel<Float>? {
        guard let kernel = info.kernel else { return nil }
        return MicroKernel(name: String(cString: info.name), rows: Int(info.rows), columns: Int(info.columns), native: kernel, nativePack: info.pack)
    }

    /// The portable kernel, for any floating-point type.
    static func portableKernel<T: FloatingTensorElement>(_: T.Type) -> MicroKernel<T> {
        MicroKernel(name: "portable", rows: 6, columns: 16, native: nil, nativePack: nil)
    }

    /// Computes (or adds) the `rows × columns` top-left part of a portable 6×16 tile.
    private static func portableTile<T: FloatingTensorElement>(
        depth: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, ldb: Int, _ c: UnsafeMutablePointer<T>, ldc: Int,
        accumulate: Bool, rows: Int, columns: Int
    ) {
        if rows == 6 && columns == 16 {
            portableMicroKernel(depth: depth, a, b, ldb: ldb, c, ldc: ldc, accumulate: accumulate)
            return
        }
        withUnsafeTemporaryAllocation(of: T.self, capacity: 6 * 16) { tile in
            let t = tile.baseAddress!
            portableMicroKernel(depth: depth, a, b, ldb: ldb, t, ldc: 16, accumulate: false)
            for i in 0..<rows {
                for j in 0..<columns {
                    c[i * ldc + j] = accumulate ? c[i * ldc + j] + t[i * 16 + j] : t[i * 16 + j]
                }
            }
        }
    }

    /// The kernel `multiply` uses for `T`.
    static func defaultKernel<T: FloatingTensorElement>(_: T.Type) -> MicroKernel<T> {
        if T.self == Float.self, let native = nativeFloat { return unsafeBitCast(native, to: MicroKernel<T>.self) }
        return portableKernel(T.self)
    }

    /// Computes `C[m×n] = A[m×k]·B[k×n]`, adding to C when `accumulate`.
    /// Element (i, p) of A is at `a[i*aRowStride + p*aColStride]`, likewise B; C is
    /// row-major with row stride `ldc`. A row-major B is read in place (only a partial
    /// last sliver is packed): small-M products, such as convolutions, would otherwise
    /// spend more time packing B than multiplying — unless the product has many rows and
    /// B's rows are a multiple of 4 KiB apart, where a sliver's rows share a handful of
    /// L1 sets and thrash (1024² products ran 15–20% slower). A row-major A is read in
    /// place by the C kernels, which broadcast each row's element from the row itself:
    /// packing it was a transpose, a tenth of a training step's time. The work is split
    /// across up to `threads` threads.
    static func multiply<T: FloatingTensorElement>(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<T>, aRowStride: Int, aColStride: Int,
        _ b: UnsafePointer<T>, bRowStride: Int, bColStride: Int,
        into c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool,
        kernel: MicroKernel<T>? = nil, threads: Int = numThreads
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        let micro = kernel ?? defaultKernel(T.self)
        let tiles = (n + micro.columns - 1) / micro.columns
        if threads > 1, (m + rowBlock - 1) / rowBlock < threads, tiles >= 2, m * n * k >= 1 << 21 {
            // Too few row blocks to share: give each thread a range of column tiles instead.
            let parts = min(threads, tiles)
            Parallel.forRange(parts, grain: 0) { range in
                for part in range {
                    let lo = tiles * part / parts * micro.columns, hi = min(n, tiles * (part + 1) / parts * micro.columns)
                    multiply(m: m, n: hi - lo, k: k, a, aRowStride: aRowStride, aColStride: aColStride,
                             b + lo * bColStride, bRowStride: bRowStride, bColStride: bColStride,
                             into: c + lo, ldc: ldc, accumulate: accumulate, kernel: micro, threads: 1)
                }
            }
            return
        }
        let directB = bColStride == 1 && (m <= 2 * rowBlock || bRowStride * MemoryLayout<T>.stride % 4096 != 0)
        // A row-major A is read in place by the C kernels (not an expanded one: row
        // stride 0 is the kernels' mark of a packed sliver).
        let directA = aColStride == 1 && aRowStride > 0 && micro.native != nil
        let packedColumns = directB ? micro.columns : (min(n, colBlock) + micro.columns - 1) / micro.columns * micro.columns
        let rowTiles = (m + micro.rows - 1) / micro.rows
        let scratchCount = min(k, depthBlock) * (packedColumns + (directA ? 0 : rowBlock + micro.rows))
        var jc = 0
        while jc < n {
            let nc = min(colBlock, n - jc)
            var pc = 0
            while pc < k {
                let kc = min(depthBlock, k - pc)
                let fullColumns = directB ? nc - nc % micro.columns : 0
                let add = accumulate || pc > 0
                // Threads share the rows in whole micro-tiles (as evenly as that allows),
                // each packing its own copy of B's block and walking its share in blocks
                // of `rowBlock`: a block packed by one thread and read by another crosses
                // between the cores' caches in every product, which cost more than the
                // packing (256×64×784 with a transposed B at 2 threads took 139 µs
                // against 84 µs for the same product with B read in place).
                Parallel.forRange(rowTiles, costPerItem: micro.rows * nc * kc, grain: 1 << 21, threads: threads) { tiles in
                    let scratch = threadScratch(of: T.self, count: scratchCount)
                    pack(with: micro, count: nc - fullColumns, depth: kc, tile: micro.columns, b + pc * bRowStride + (jc + fullColumns) * bColStride, stride: bColStride, depthStride: bRowStride, into: scratch)
                    let panel = BPanel(direct: directB ? b + pc * bRowStride + jc : nil, ldb: bRowStride, fullColumns: fullColumns, packed: scratch)
                    let packedA = directA ? nil : scratch + kc * packedColumns
                    let end = min(m, tiles.upperBound * micro.rows)
                    var ic = tiles.lowerBound * micro.rows
                    while ic < end {
                        let mc = min(rowBlock, end - ic), rows = a + ic * aRowStride + pc * aColStride
                        if let packedA {
                            pack(with: micro, count: mc, depth: kc, tile: micro.rows, rows, stride: aRowStride, depthStride: aColStride, into: packedA)
                        }
                        let aPanel = packedA.map { APanel(start: UnsafePointer($0), lda: 0) } ?? APanel(start: rows, lda: aRowStride)
                        macroKernel(micro, mc: mc, nc: nc, kc: kc, aPanel, panel, c + ic * ldc + jc, ldc: ldc, accumulate: add)
                        ic += mc
                    }
                }
                pc += kc
            }
            jc += nc
        }
    }

    /// The calling thread's packing buffer, at least `count` elements of `T` (see
    /// `flint_thread_scratch`).
    private static func threadScratch<T>(of _: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        guard let buffer = flint_thread_scratch(Int64(count * MemoryLayout<T>.stride)) else {
            fatalError("out of memory for a \(count)-element packing buffer")
        }
        return buffer.bindMemory(to: T.self, capacity: count)
    }

    /// `out[n×m] = x[n×k]·wᵀ (+ bias)` for a row-major float32 weight `w[m×k]` with more
    /// rows than `x` (a linear layer wider than its batch), as `(w·xᵀ)ᵀ`: the product
    /// reads the weight's rows in place and packs the smaller `x` (the direct form packs
    /// the weight with a transpose, the largest copy of a training step). The `[m, n]`
    /// product, started from the bias, is transposed into `out` by the packing (one
    /// sliver as wide as the matrix is a transpose). C kernels only.
    static func wideLinear(
        n: Int, k: Int, m: Int, _ x: UnsafePointer<Float>, xRowStride: Int, xColStride: Int,
        weight w: UnsafePointer<Float>, weightRowStride: Int, bias: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>
    ) {
        let micro = nativeFloat!
        BufferCache.withScratch(of: Float.self, count: m * n) { product in
            if let bias {
                for j in 0..<m { (product + j * n).update(repeating: bias[j], count: n) }
            }
            multiply(m: m, n: n, k: k, w, aRowStride: weightRowStride, aColStride: 1, x, bRowStride: xColStride, bColStride: xRowStride,
                     into: product, ldc: n, accumulate: bias != nil, kernel: micro)
            pack(with: micro, count: m, depth: n, tile: m, product, stride: n, depthStride: 1, into: out)
        }
    }

    /// The float32 dot-product kernel of this CPU, if any (see `sumOfProducts`).
    static let nativeDot: flint_sgemm_dot_kernel? = flint_sgemm_dot_select()

    /// `C[m×n] (+)= Σ_s A_s·B_sᵀ` for operands contiguous along the summed dimension
    /// (`A_s[i][p] = a[s·aSegment + i·lda + p]`, likewise B), by register-blocked dot
    /// products: nothing is packed, so long sums over thin operands (convolution weight
    /// gradients) run at full speed. Columns of C are split across threads for large
    /// work. Only for CPUs that have the kernel (`nativeDot` is not nil).
    static func sumOfProducts(
        m: Int, n: Int, length: Int, segments: Int,
        _ a: UnsafePointer<Float>, lda: Int, aSegment: Int,
        _ b: UnsafePointer<Float>, ldb: Int, bSegment: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        let kernel = nativeDot!
        let parts = m * n * length * segments >= 1 << 20 ? min(numThreads, (n + 3) / 4) : 1
        Parallel.forRange(parts, grain: 0) { range in
            for part in range {
                let lo = (n + 3) / 4 * part / parts * 4, hi = min(n, (n + 3) / 4 * (part + 1) / parts * 4)
                guard lo < hi else { continue }
                var problem = flint_sgemm_dot_problem(
                    m: Int64(m), n: Int64(hi - lo), length: Int64(length), segments: Int64(segments),
                    a: a, lda: Int64(lda), a_segment: Int64(aSegment),
                    b: b + lo * ldb, ldb: Int64(ldb), b_segment: Int64(bSegment),
                    c: c + lo, ldc: Int64(ldc), accumulate: accumulate ? 1 : 0)
                kernel(&problem)
            }
        }
    }

    /// Copies `count` lines (each `stride` apart, elements `depthStride` apart) into
    /// slivers of `tile` lines stored depth-major, padding the last sliver with zeros
    /// (float32 in C, by the packing of `micro`'s instruction set, where lines contiguous
    /// along the depth are transposed in registers).
    private static func pack<T: FloatingTensorElement>(
        with micro: MicroKernel<T>, count: Int, depth: Int, tile: Int, _ source: UnsafePointer<T>, stride: Int, depthStride: Int,
        into out: UnsafeMutablePointer<T>
    ) {
        if T.self == Float.self {
            (micro.nativePack ?? flint_sgemm_pack)(Int64(count), Int64(depth), Int64(tile), UnsafeRawPointer(source).assumingMemoryBound(to: Float.self),
                             Int64(stride), Int64(depthStride), UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self))
            return
        }
        var dst = out
        var start = 0
        while start < count {
            let lines = min(tile, count - start)
            if depthStride == 1 && stride != 1 {
                // Each line is contiguous along the depth: read lines, scatter into the sliver.
                for i in 0..<tile {
                    if i < lines {
                        let line = source + (start + i) * stride
                        for p in 0..<depth { dst[p * tile + i] = line[p] }
                    } else {
                        for p in 0..<depth { dst[p * tile + i] = 0 }
                    }
                }
                dst += depth * tile
            } else {
                for p in 0..<depth {
                    let row = source + start * stride + p * depthStride
                    if lines == tile && stride == 1 {
                        dst.update(from: row, count: tile)
                    } else {
                        for i in 0..<tile { dst[i] = i < lines ? row[i * stride] : 0 }
                    }
                    dst += tile
                }
            }
            start += tile
        }
    }

    /// Where the macro-kernel finds B's slivers: in place (row-major B, full slivers)
    /// or packed.
    private struct BPanel<T> {
        let direct: UnsafePointer<T>?
        let ldb: Int
        let fullColumns: Int
        let packed: UnsafePointer<T>

        /// The sliver starting at column `j0` and its row stride.
        func sliver(at j0: Int, tile: Int, depth: Int) -> (UnsafePointer<T>, Int) {
            if let direct {
                return j0 < fullColumns ? (direct + j0, ldb) : (packed + (j0 - fullColumns) / tile * tile * depth, tile)
            }
            return (packed + j0 / tile * tile * depth, tile)
        }
    }

    /// Where the macro-kernel finds A's rows: packed slivers (`lda` 0), or rows read in
    /// place, `lda` elements apart (C kernels only).
    private struct APanel<T> {
        let start: UnsafePointer<T>
        let lda: Int

        /// The sliver or rows starting at row `i0`.
        func rows(at i0: Int, tile: Int, depth: Int) -> UnsafePointer<T> {
            lda == 0 ? start + i0 / tile * tile * depth : start + i0 * lda
        }
    }

    private static func macroKernel<T: FloatingTensorElement>(
        _ micro: MicroKernel<T>, mc: Int, nc: Int, kc: Int, _ aPanel: APanel<T>, _ panel: BPanel<T>,
        _ c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool
    ) {
        let (rowTile, colTile) = (micro.rows, micro.columns)
        var j0 = 0
        while j0 < nc {
            let (bSliver, ldb) = panel.sliver(at: j0, tile: colTile, depth: kc)
            var i0 = 0
            while i0 < mc {
                let a = aPanel.rows(at: i0, tile: rowTile, depth: kc), tile = c + i0 * ldc + j0
                let rows = min(rowTile, mc - i0), columns = min(colTile, nc - j0)
                if let native = micro.native {
                    native(Int64(kc), UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int64(aPanel.lda), UnsafeRawPointer(bSliver).assumingMemoryBound(to: Float.self),
                           Int64(ldb), UnsafeMutableRawPointer(tile).assumingMemoryBound(to: Float.self), Int64(ldc),
                           accumulate ? 1 : 0, Int32(rows), Int32(columns))
                } else {
                    portableTile(depth: kc, a, bSliver, ldb: ldb, tile, ldc: ldc, accumulate: accumulate, rows: rows, columns: columns)
                }
                i0 += rowTile
            }
            j0 += colTile
        }
    }

    /// The portable core: a `6×16` tile of C from packed slivers of A and B.
    @inline(__always)
    private static func portableMicroKernel<T: FloatingTensorElement>(
        depth kc: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, ldb: Int,
        _ c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool
    ) {
        typealias V = SIMD8<T>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        let rawB = UnsafeRawPointer(b)
        for p in 0..<kc {
            let b0 = rawB.loadUnaligned(fromByteOffset: p * ldb * MemoryLayout<T>.stride, as: V.self)
            let b1 = rawB.loadUnaligned(fromByteOffset: (p * ldb + 8) * MemoryLayout<T>.stride, as: V.self)
            let ap = a + p * 6
            var s = V(repeating: ap[0]); c00 += s * b0; c01 += s * b1
            s = V(repeating: ap[1]); c10 += s * b0; c11 += s * b1
            s = V(repeating: ap[2]); c20 += s * b0; c21 += s * b1
            s = V(repeating: ap[3]); c30 += s * b0; c31 += s * b1
            s = V(repeating: ap[4]); c40 += s * b0; c41 += s * b1
            s = V(repeating: ap[5]); c50 += s * b0; c51 += s * b1
        }
        @inline(__always)
        func store(_ row: Int, _ lo: V, _ hi: V) {
            let raw = UnsafeMutableRawPointer(c + row * ldc)
            let stride = MemoryLayout<T>.stride
            if accumulate {
                raw.storeBytes(of: raw.loadUnaligned(as: V.self) + lo, as: V.self)
                raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 8 * stride, as: V.self) + hi, toByteOffset: 8 * stride, as: V.self)
            } else {
                raw.storeBytes(of: lo, as: V.self)
                raw.storeBytes(of: hi, toByteOffset: 8 * stride, as: V.self)
            }
        }
        store(0, c00, c01); store(1, c10, c11); store(2, c20, c21)
        store(3, c30, c31); store(4, c40, c41); store(5, c50, c51)
    }
}
