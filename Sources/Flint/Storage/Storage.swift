import Synchronization

/// What a storage knows about its bytes (kept in the `ManagedBuffer` header).
struct StorageHeader {
    /// Start of the bytes: the storage's own tail for small buffers, else a buffer from
    /// `BufferCache` (or the owner's bytes, for an aliasing storage).
    var data: UnsafeMutableRawPointer?
    /// Number of elements.
    let count: Int
    /// The element type.
    let dtype: DType
    /// The storage that owns the bytes, for an aliasing storage.
    let owner: Storage?
    /// Number of in-place modifications so far (the version counter).
    var version = 0
}

/// One contiguous buffer of elements of one dtype. Tensors and their views
/// share a storage and address it through shape, strides and offset. The storage is
/// also their version counter, so a tensor costs no separate counter object; an
/// aliasing storage (`Tensor.data`) shares the bytes but counts versions on its own.
/// Buffers of up to `inlineBytes` live in the storage object itself, so a small
/// tensor's data costs no allocation of its own (most tensors of per-op workloads are
/// a few elements). The tail is counted in 8-byte words: a 16-byte alignment would send
/// every storage through `posix_memalign` instead of `malloc`.
final class Storage: ManagedBuffer<StorageHeader, UInt64>, @unchecked Sendable {
    /// The largest buffer kept inside the storage object.
    static let inlineBytes = 256

    /// Allocates uninitialised room for `count` elements of `dtype`.
    static func make(count: Int, dtype: DType) -> Storage {
        let bytes = max(count, 1) * dtype.byteSize
        let small = bytes <= inlineBytes
        let storage = unsafeDowncast(
            Storage.create(minimumCapacity: small ? (bytes + 7) / 8 : 0) { _ in StorageHeader(data: nil, count: count, dtype: dtype, owner: nil) },
            to: Storage.self)
        storage.fields.pointee.data = small
            ? storage.withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
            : BufferCache.allocate(byteCount: bytes)
        return storage
    }

    /// A storage over the same bytes as `other` with a version counter of its own.
    static func aliasing(_ other: Storage) -> Storage {
        let owner = other.fields.pointee.owner ?? other
        return unsafeDowncast(
            Storage.create(minimumCapacity: 0) { _ in StorageHeader(data: other.data, count: other.count, dtype: other.dtype, owner: owner) },
            to: Storage.self)
    }

    /// Allocates room for `count` elements set to zero bits (0, 0.0 or false).
    static func zeroed(count: Int, dtype: DType) -> Storage {
        let storage = make(count: count, dtype: dtype)
        storage.data.initializeMemory(as: UInt8.self, repeating: 0, count: count * dtype.byteSize)
        return storage
    }

    deinit {
        let header = fields.pointee
        let bytes = max(header.count, 1) * header.dtype.byteSize
        if header.owner == nil, bytes > Self.inlineBytes, let data = header.data { BufferCache.release(data, byteCount: bytes) }
    }

    /// The header, addressed directly: `header`'s accessor would check exclusivity
    /// dynamically on every use (the object never moves, so the address is stable).
    @inline(__always)
    private var fields: UnsafeMutablePointer<StorageHeader> { withUnsafeMutablePointerToHeader { $0 } }

    /// Start of the buffer (64-byte aligned for large buffers, 8 for small ones).
    var data: UnsafeMutableRawPointer { fields.pointee.data.unsafelyUnwrapped }
    /// Number of elements the buffer holds.
    var count: Int { fields.pointee.count }
    /// Whether the bytes are this storage's own (false for `Tensor.data`'s alias).
    var ownsBytes: Bool { fields.pointee.owner == nil }
    /// The element type.
    var dtype: DType { fields.pointee.dtype }
    /// Number of in-place modifications so far.
    var value: Int {
        get { fields.pointee.version }
        set { fields.pointee.version = newValue }
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

    /// Runs `body` with a scratch buffer of `count` elements of `T` from the cache, so the
    /// buffers a kernel needs on every call (a wide linear layer's product, a row
    /// softmax's exponentials) neither fault in fresh pages nor make glibc trim the heap
    /// (a trim interrupts every other core to flush its TLB). A matrix product's packing
    /// buffers are per thread instead (`flint_thread_scratch`).
    static func withScratch<T, R>(of _: T.Type, count: Int, _ body: (UnsafeMutablePointer<T>) -> R) -> R {
        let bytes = count * MemoryLayout<T>.stride
        let buffer = allocate(byteCount: bytes)
        defer { release(buffer, byteCount: bytes) }
        return body(buffer.bindMemory(to: T.self, capacity: count))
    }

    private static func pageRounded(_ n: Int) -> Int { (n + 4095) & ~4095 }
}
