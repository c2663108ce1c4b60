import CFlintKernels

/// Vectorised float32 math for contiguous buffers, chosen at run time from the CPU
/// (AVX-512 or AVX2); `nil` results mean the caller uses its portable loop.
enum VectorMath {
    nonisolated(unsafe) static let native = flint_vector_math_select()

    /// The instruction set the vector math uses ("avx512", "avx2" or "none").
    static var name: String { String(cString: native.name) }

    /// A vectorised elementwise function.
    enum Function {
        case exp, tanh, sigmoid
    }

    /// Writes `f(x)` for `count` contiguous floats, split across threads when large;
    /// false when this CPU has no vector kernel for `f`.
    static func apply(_ f: Function, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let kernel: flint_vector_function?
        switch f {
        case .exp: kernel = native.exp
        case .tanh: kernel = native.tanh
        case .sigmoid: kernel = native.sigmoid
        }
        guard let kernel else { return false }
        Parallel.forRange(count, costPerItem: 8) { range in
            kernel(x + range.lowerBound, y + range.lowerBound, Int64(range.count))
        }
        return true
    }

    /// The sum of `count` contiguous floats accumulated in double precision, or nil
    /// without a vector kernel.
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double? {
        guard let kernel = native.sum else { return nil }
        if count < Parallel.elementwiseGrain { return kernel(x, Int64(count)) }
        return Parallel.map(count) { range in kernel(x + range.lowerBound, Int64(range.count)) }.reduce(0, +)
    }
}
