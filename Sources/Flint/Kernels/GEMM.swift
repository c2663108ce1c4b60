/// General matrix multiply `C = A·B (+ C)`: packed, cache-blocked, with a register-tiled
/// micro-kernel of `rowTile × 16` outputs, split across threads by row blocks.
enum GEMM {
    static let rowTile = 6
    static let colTile = 16
    static let depthBlock = 256
    static let rowBlock = 72
    static let colBlock = 2048

    /// Computes `C[m×n] = A[m×k]·B[k×n]`, adding to C when `accumulate`.
    /// Element (i, p) of A is at `a[i*aRowStride + p*aColStride]`, likewise B; C is
    /// row-major with row stride `ldc`.
    static func multiply<T: FloatingTensorElement>(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<T>, aRowStride: Int, aColStride: Int,
        _ b: UnsafePointer<T>, bRowStride: Int, bColStride: Int,
        into c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        let packedB = UnsafeMutablePointer<T>.allocate(capacity: depthBlock * (colBlock + colTile))
        defer { packedB.deallocate() }
        var jc = 0
        while jc < n {
            let nc = min(colBlock, n - jc)
            var pc = 0
            while pc < k {
                let kc = min(depthBlock, k - pc)
                packB(kc: kc, nc: nc, b + pc * bRowStride + jc * bColStride, bRowStride, bColStride, into: packedB)
                let add = accumulate || pc > 0
                let rowBlocks = (m + rowBlock - 1) / rowBlock
                Parallel.forRange(rowBlocks, costPerItem: rowBlock * nc * kc, grain: 1 << 18) { blocks in
                    let packedA = UnsafeMutablePointer<T>.allocate(capacity: (rowBlock + rowTile) * depthBlock)
                    defer { packedA.deallocate() }
                    for block in blocks {
                        let ic = block * rowBlock
                        let mc = min(rowBlock, m - ic)
                        packA(mc: mc, kc: kc, a + ic * aRowStride + pc * aColStride, aRowStride, aColStride, into: packedA)
                        macroKernel(mc: mc, nc: nc, kc: kc, packedA, packedB, c + ic * ldc + jc, ldc: ldc, accumulate: add)
                    }
                }
                pc += kc
            }
            jc += nc
        }
    }

    /// Copies an `mc×kc` block of A into row slivers of `rowTile` rows, depth-major.
    private static func packA<T: FloatingTensorElement>(
        mc: Int, kc: Int, _ a: UnsafePointer<T>, _ rs: Int, _ cs: Int, into out: UnsafeMutablePointer<T>
    ) {
        pack(count: mc, depth: kc, tile: rowTile, a, stride: rs, depthStride: cs, into: out)
    }

    /// Copies a `kc×nc` block of B into column slivers of `colTile` columns, depth-major.
    private static func packB<T: FloatingTensorElement>(
        kc: Int, nc: Int, _ b: UnsafePointer<T>, _ rs: Int, _ cs: Int, into out: UnsafeMutablePointer<T>
    ) {
        pack(count: nc, depth: kc, tile: colTile, b, stride: cs, depthStride: rs, into: out)
    }

    /// Copies `count` lines (each `stride` apart, elements `depthStride` apart) into
    /// slivers of `tile` lines stored depth-major, padding the last sliver with zeros.
    private static func pack<T: FloatingTensorElement>(
        count: Int, depth: Int, tile: Int, _ source: UnsafePointer<T>, stride: Int, depthStride: Int,
        into out: UnsafeMutablePointer<T>
    ) {
        var dst = out
        var start = 0
        while start < count {
            let lines = min(tile, count - start)
            for p in 0..<depth {
                let row = source + start * stride + p * depthStride
                if lines == tile && stride == 1 {
                    dst.update(from: row, count: tile)
                } else {
                    for i in 0..<tile { dst[i] = i < lines ? row[i * stride] : 0 }
                }
                dst += tile
            }
            start += tile
        }
    }

    private static func macroKernel<T: FloatingTensorElement>(
        mc: Int, nc: Int, kc: Int, _ packedA: UnsafePointer<T>, _ packedB: UnsafePointer<T>,
        _ c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool
    ) {
        var tile = [T](repeating: 0, count: rowTile * colTile)
        var j0 = 0
        while j0 < nc {
            let cols = min(colTile, nc - j0)
            let bSliver = packedB + (j0 / colTile) * colTile * kc
            var i0 = 0
            while i0 < mc {
                let rows = min(rowTile, mc - i0)
                let aSliver = packedA + (i0 / rowTile) * rowTile * kc
                let cTile = c + i0 * ldc + j0
                if rows == rowTile && cols == colTile {
                    microKernel(kc: kc, aSliver, bSliver, cTile, ldc: ldc, accumulate: accumulate)
                } else {
                    tile.withUnsafeMutableBufferPointer { t in
                        microKernel(kc: kc, aSliver, bSliver, t.baseAddress!, ldc: colTile, accumulate: false)
                        for i in 0..<rows {
                            for j in 0..<cols {
                                let v = t[i * colTile + j]
                                cTile[i * ldc + j] = accumulate ? cTile[i * ldc + j] + v : v
                            }
                        }
                    }
                }
                i0 += rowTile
            }
            j0 += colTile
        }
    }

    /// The register-tiled core: a `6×16` tile of C from packed slivers of A and B.
    @inline(__always)
    private static func microKernel<T: FloatingTensorElement>(
        kc: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
        _ c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool
    ) {
        typealias V = SIMD8<T>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        let rawB = UnsafeRawPointer(b)
        for p in 0..<kc {
            let b0 = rawB.loadUnaligned(fromByteOffset: p * 16 * MemoryLayout<T>.stride, as: V.self)
            let b1 = rawB.loadUnaligned(fromByteOffset: (p * 16 + 8) * MemoryLayout<T>.stride, as: V.self)
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
