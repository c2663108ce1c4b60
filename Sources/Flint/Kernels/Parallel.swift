import CFlintKernels
import Synchronization

/// How many threads large kernels split their work across, as `torch.set_num_threads`.
private let threadSetting = Atomic<Int>(0)

/// The number of threads Flint's kernels use for large work (all cores by default).
public var numThreads: Int {
    let n = threadSetting.load(ordering: .relaxed)
    return n > 0 ? n : defaultThreadCount
}

/// Sets the number of threads Flint's kernels use for large work; 0 restores the default.
public func setNumThreads(_ count: Int) {
    threadSetting.store(max(0, count), ordering: .relaxed)
}

private let defaultThreadCount: Int = {
    let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    return max(1, Int(cores))
}()

/// Splits index ranges across threads when the work is big enough to pay for them.
enum Parallel {
    /// What the pool's workers need to run one call's chunks.
    private struct Job {
        let count: Int
        let chunks: Int
        let body: (Range<Int>) -> Void
    }

    /// Elements below which an elementwise kernel stays on the calling thread.
    static let elementwiseGrain = 1 << 20

    /// Calls `body` on disjoint sub-ranges covering `0..<count`, on up to `threads`
    /// threads when `count * costPerItem` reaches `grain`, else once on the calling thread
    /// — as also when the pool is busy (a call from inside another call's body, or while
    /// another thread's job runs): a body called once per thread may then do per-thread
    /// work, such as packing an operand, once.
    @inline(__always)
    static func forRange(
        _ count: Int, costPerItem: Int = 1, grain: Int = elementwiseGrain, threads: Int = numThreads,
        _ body: (Range<Int>) -> Void
    ) {
        if threads <= 1 || count < 2 || count &* costPerItem < grain {
            body(0..<count)
            return
        }
        let chunks = min(threads, count)
        let ran = withoutActuallyEscaping(body) { body in
            var job = Job(count: count, chunks: chunks, body: body)
            return flint_parallel_run(Int64(chunks), Int32(threads), { context, chunk in
                let job = context.unsafelyUnwrapped.assumingMemoryBound(to: Job.self)
                let count = job.pointee.count, chunks = job.pointee.chunks, chunk = Int(chunk)
                let lo = count * chunk / chunks, hi = count * (chunk + 1) / chunks
                if lo < hi { job.pointee.body(lo..<hi) }
            }, &job)
        }
        if ran == 0 { body(0..<count) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
