/// One aligned, contiguous buffer of elements of one dtype. Tensors and their views
/// share a storage and address it through shape, strides and offset.
final class Storage: @unchecked Sendable {
    /// Start of the buffer, aligned to 64 bytes.
    let data: UnsafeMutableRawPointer
    /// Number of elements the buffer holds.
    let count: Int
    /// The element type.
    let dtype: DType

    /// Allocates uninitialised room for `count` elements of `dtype`.
    init(count: Int, dtype: DType) {
        self.count = count
        self.dtype = dtype
        data = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * dtype.byteSize, alignment: 64)
    }

    /// Allocates room for `count` elements set to zero bits (0, 0.0 or false).
    convenience init(zeroedCount count: Int, dtype: DType) {
        self.init(count: count, dtype: dtype)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: count * dtype.byteSize)
    }

    deinit { data.deallocate() }

    /// The buffer typed as `T`; `T` must match `dtype`.
    @inline(__always)
    func pointer<T: TensorElement>(as: T.Type) -> UnsafeMutablePointer<T> {
        data.assumingMemoryBound(to: T.self)
    }
}

/// Counts in-place modifications of a tensor's data. Views share their base's counter;
/// `Tensor.data` starts a fresh one, as in PyTorch, so changes made through it are not
/// seen by autograd's checks.
final class VersionCounter: @unchecked Sendable {
    /// Number of in-place modifications so far.
    var value = 0
}
