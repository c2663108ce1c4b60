import CFlintSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide allocator settings that suit autograd graphs.
enum Allocator {
    /// Turns glibc's fastbins off, once per process, before the first backward pass.
    /// A backward pass frees tens of thousands of small nodes and tensors at once;
    /// with fastbins, glibc later merges all of them in `malloc_consolidate`, which
    /// doubled the time of deep-chain workloads (W7). Small blocks are still served by
    /// glibc's per-thread cache. Set `FLINT_KEEP_MALLOC_DEFAULTS=1` to leave glibc as it
    /// is; other C libraries are not touched.
    static let tuned: Bool = {
        guard getenv("FLINT_KEEP_MALLOC_DEFAULTS") == nil else { return false }
        return flint_disable_malloc_fastbins() == 1
    }()
}

extension Allocator {
    /// Bytes of heap memory in use now (glibc only; nil elsewhere), for memory tests.
    static var heapBytesInUse: Int? {
        let bytes = flint_heap_bytes_in_use()
        return bytes >= 0 ? Int(bytes) : nil
    }
}
