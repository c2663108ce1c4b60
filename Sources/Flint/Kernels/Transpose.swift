import CFlintKernels

/// Copies a float32 matrix stored column by column into row-major order, by the matrix
/// product's packing kernel (blocks transposed in vector registers on AVX2/AVX-512).
enum Transpose {
    /// Elements below which the element-by-element walk is as fast as a blocked copy.
    static let minimumCount = 1024

    /// `out[i·columns + j] = source[i + j·columnStride]` for an `rows × columns` matrix,
    /// split across threads by output rows for large matrices.
    static func copy(rows: Int, columns: Int, _ source: UnsafePointer<Float>, columnStride: Int, into out: UnsafeMutablePointer<Float>) {
        // The packing kernel copies `columns` lines (columns of the source, contiguous
        // along the rows) into one sliver as wide as the matrix: row i of the sliver is
        // row i of the output.
        Parallel.forRange(rows, costPerItem: columns) { range in
            flint_sgemm_pack(Int64(columns), Int64(range.count), Int64(columns), source + range.lowerBound, Int64(columnStride), 1,
                             out + range.lowerBound * columns)
        }
    }
}
