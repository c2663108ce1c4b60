/// Elementwise kernels over strided buffers. Each walks the operands with a
/// `StridedLoop`, takes a tight unit-stride path when every operand is contiguous in the
/// innermost dimension, and splits large work across threads.
enum Elementwise {
    /// `out[i] = f(a[i])` over `shape`.
    @inline(__always)
    static func map<A, R>(
        shape: [Int],
        _ a: UnsafePointer<A>, _ aStrides: [Int],
        into out: UnsafeMutablePointer<R>, _ outStrides: [Int],
        _ f: (A) -> R
    ) {
        let loop = StridedLoop(shape: shape, operandStrides: [outStrides, aStrides])
        let s = loop.innerStrides
        Parallel.forRange(loop.count) { range in
            loop.forEachRun(in: range) { o, n in
                let po = out + o[0], pa = a + o[1]
                if s[0] == 1 && s[1] == 1 {
                    for i in 0..<n { po[i] = f(pa[i]) }
                } else {
                    for i in 0..<n { po[i &* s[0]] = f(pa[i &* s[1]]) }
                }
            }
        }
    }

    /// `out[i] = f(a[i], b[i])` over `shape` (broadcast operands carry zero strides).
    @inline(__always)
    static func zip<A, B, R>(
        shape: [Int],
        _ a: UnsafePointer<A>, _ aStrides: [Int],
        _ b: UnsafePointer<B>, _ bStrides: [Int],
        into out: UnsafeMutablePointer<R>, _ outStrides: [Int],
        _ f: (A, B) -> R
    ) {
        let loop = StridedLoop(shape: shape, operandStrides: [outStrides, aStrides, bStrides])
        let s = loop.innerStrides
        Parallel.forRange(loop.count) { range in
            loop.forEachRun(in: range) { o, n in
                let po = out + o[0], pa = a + o[1], pb = b + o[2]
                if s[0] == 1 && s[1] == 1 && s[2] == 1 {
                    for i in 0..<n { po[i] = f(pa[i], pb[i]) }
                } else if s[0] == 1 && s[1] == 1 && s[2] == 0 {
                    let bv = pb[0]
                    for i in 0..<n { po[i] = f(pa[i], bv) }
                } else {
                    for i in 0..<n { po[i &* s[0]] = f(pa[i &* s[1]], pb[i &* s[2]]) }
                }
            }
        }
    }

    /// `out[i] = f(a[i], b[i], c[i])` over `shape`.
    @inline(__always)
    static func zip3<A, B, C, R>(
        shape: [Int],
        _ a: UnsafePointer<A>, _ aStrides: [Int],
        _ b: UnsafePointer<B>, _ bStrides: [Int],
        _ c: UnsafePointer<C>, _ cStrides: [Int],
        into out: UnsafeMutablePointer<R>, _ outStrides: [Int],
        _ f: (A, B, C) -> R
    ) {
        let loop = StridedLoop(shape: shape, operandStrides: [outStrides, aStrides, bStrides, cStrides])
        let s = loop.innerStrides
        Parallel.forRange(loop.count) { range in
            loop.forEachRun(in: range) { o, n in
                let po = out + o[0], pa = a + o[1], pb = b + o[2], pc = c + o[3]
                for i in 0..<n { po[i &* s[0]] = f(pa[i &* s[1]], pb[i &* s[2]], pc[i &* s[3]]) }
            }
        }
    }

    /// Sets every element of a strided region to `value`.
    static func fill<T>(shape: [Int], _ out: UnsafeMutablePointer<T>, _ outStrides: [Int], value: T) {
        let loop = StridedLoop(shape: shape, operandStrides: [outStrides])
        let s = loop.innerStrides[0]
        Parallel.forRange(loop.count) { range in
            loop.forEachRun(in: range) { o, n in
                let po = out + o[0]
                for i in 0..<n { po[i &* s] = value }
            }
        }
    }
}
