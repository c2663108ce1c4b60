import Synchronization

/// One contiguous buffer of elements of one dtype. Tensors and their views
/// share a storage and address it through shape, strides and offset. The storage is
/// also their version counter, so a tensor costs no separate counter object; an
/// aliasing storage (`Tensor.data`) shares the bytes but counts versions on its own.
final class Storage: VersionCounter, @unchecked Sendable {
    /// Start of the buffer (64-byte aligned for large buffers, 16 for small ones).
    let data: UnsafeMutableRawPointer
    /// Number of elements the buffer holds.
    let count: Int
    /// The element type.
    let dtype: DType
    /// The storage that owns the bytes, for an aliasing storage.
    private let owner: Storage?

    /// Allocates uninitialised room for `count` elements of `dtype`.
    init(count: Int, dtype: DType) {
        self.count = count
        self.dtype = dtype
        data = BufferCache.allocate(byteCount: max(count, 1) * dtype.byteSize)
        owner = nil
    }

    /// A storage over the same bytes as `other` with a version counter of its own.
    init(aliasing other: Storage) {
        count = other.count
        dtype = other.dtype
        data = other.data
        owner = other.owner ?? other
    }

    /// Allocates room for `count` elements set to zero bits (0, 0.0 or false).
    convenience init(zeroedCount count: Int, dtype: DType) {
        self.init(count: count, dtype: dtype)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: count * dtype.byteSize)
    }

    deinit {
        if owner == nil { BufferCache.release(data, byteCount: max(count, 1) * dtype.byteSize) }
    }

    /// The buffer typed as `T`; `T` must match `dtype`.
    @inline(__always)
    func pointer<T: TensorElement>(as: T.Type) -> UnsafeMutablePointer<T> {
        data.assumingMemoryBound(to: T.self)
    }
}

/// Keeps freed large buffers for reuse, so the large tensors a loop allocates on every
/// step do not pay the operating system's page faults each time (which also serialize
/// threads that touch fresh memory). Buffers below `minimumSize` go straight to malloc;
/// at most `capacity` bytes are kept.
enum BufferCache {
    static let minimumSize = 1 << 16
    static let capacity = 256 << 20
    private static let pool = Mutex<Pool>(Pool())

    private struct Pool: ~Copyable {
        /// Free buffers by size, as addresses (plain integers cross the lock freely).
        var free: [Int: [UInt]] = [:]
        var bytes = 0
    }

    /// A buffer of at least `byteCount` bytes: 64-byte aligned when large (cached), and
    /// malloc's own 16-byte alignment when small (posix_memalign would cost more than
    /// the small kernels it serves; they load unaligned).
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        guard byteCount >= minimumSize else { return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 16) }
        let size = pageRounded(byteCount)
        let reused = pool.withLock { pool -> UInt? in
            guard let address = pool.free[size]?.popLast() else { return nil }
            pool.bytes -= size
            return address
        }
        return reused.flatMap { UnsafeMutableRawPointer(bitPattern: $0) } ?? UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Returns a buffer from `allocate(byteCount:)`, keeping it when there is room.
    static func release(_ buffer: UnsafeMutableRawPointer, byteCount: Int) {
        guard byteCount >= minimumSize else { return buffer.deallocate() }
        let size = pageRounded(byteCount)
        let address = UInt(bitPattern: buffer)
        let kept = pool.withLock { pool -> Bool in
            guard pool.bytes + size <= capacity else { return false }
            pool.free[size, default: []].append(address)
            pool.bytes += size
            return true
        }
        if !kept { buffer.deallocate() }
    }

    private static func pageRounded(_ n: Int) -> Int { (n + 4095) & ~4095 }
}

/// Counts in-place modifications of a tensor's data. Views share their base's counter
/// (their storage); `Tensor.data` starts a fresh one, as in PyTorch, so changes made
/// through it are not seen by autograd's checks.
class VersionCounter: @unchecked Sendable {
    /// Number of in-place modifications so far.
    var value = 0
}
