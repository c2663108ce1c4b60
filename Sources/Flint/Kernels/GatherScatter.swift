/// Gather and scatter-add along one dimension of contiguous tensors viewed as
/// `[outer, size, inner]`, with an index of shape `[outer, indexSize, inner]`.
enum GatherScatter {
    /// `out[o, j, i] = x[o, index[o, j, i], i]`.
    static func gather<T>(
        _ x: UnsafePointer<T>, size: Int, _ index: UnsafePointer<Int64>, outer: Int, indexSize: Int, inner: Int,
        into out: UnsafeMutablePointer<T>
    ) {
        for o in 0..<outer {
            for j in 0..<indexSize {
                let base = (o * indexSize + j) * inner
                for i in 0..<inner {
                    out[base + i] = x[(o * size + Int(index[base + i])) * inner + i]
                }
            }
        }
    }

    /// `out[o, index[o, j, i], i] += src[o, j, i]`.
    static func scatterAdd<T: Numeric>(
        _ src: UnsafePointer<T>, _ index: UnsafePointer<Int64>, outer: Int, indexSize: Int, inner: Int,
        into out: UnsafeMutablePointer<T>, size: Int
    ) {
        for o in 0..<outer {
            for j in 0..<indexSize {
                let base = (o * indexSize + j) * inner
                for i in 0..<inner {
                    out[(o * size + Int(index[base + i])) * inner + i] += src[base + i]
                }
            }
        }
    }
}
