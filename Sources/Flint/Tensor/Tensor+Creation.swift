#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tensor {
    /// A contiguous tensor of `shape` whose elements are all `value`.
    public static func full(
        _ shape: [Int], _ value: Double, dtype: DType = .float32, requiresGrad: Bool = false
    ) -> Tensor {
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        t.fillStorage(with: value)
        return t.settingRequiresGrad(requiresGrad)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(storage: Storage.zeroed(count: Shape.count(shape), dtype: dtype), shape: shape, strides: Shape.contiguousStrides(shape))
        return t.settingRequiresGrad(requiresGrad)
    }

    /// Zeros with the shape and dtype of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype) }

    /// Ones with the shape and dtype of `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape, dtype: other.dtype) }

    /// Uniform random values in [0, 1) from the default generator (`torch.rand`).
    public static func rand(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        let n = t.count
        defaultGenerator.withLock { g in
            switch dtype {
            case .float32:
                let p = t.pointer(Float.self)
                for i in 0..<n { p[i] = g.nextFloat() }
            case .float64:
                let p = t.pointer(Double.self)
                for i in 0..<n { p[i] = g.nextDouble() }
            default:
                fail("rand: \"check_uniform_bounds\" not implemented for '\(dtype)'", file: #fileID, line: #line)
            }
        }
        return t.settingRequiresGrad(requiresGrad)
    }

    /// Standard normal random values from the default generator (`torch.randn`).
    public static func randn(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        guard dtype.isFloatingPoint else { fail("randn: \"normal_kernel_cpu\" not implemented for '\(dtype)'", file: #fileID, line: #line) }
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        let n = t.count
        defaultGenerator.withLock { g in
            if n >= 16 {
                if dtype == .float32 { normalFill(t.pointer(Float.self), n, uniform: { g.nextFloat() }) } else { normalFill(t.pointer(Double.self), n, uniform: { g.nextDouble() }) }
            } else {
                for i in 0..<n { t.storeElement(g.nextNormal(), at: i) }
            }
        }
        return t.settingRequiresGrad(requiresGrad)
    }

    /// PyTorch's `normal_fill`: uniforms first, then Box-Muller over blocks of 16, the
    /// last block redrawn when the count is not a multiple of 16.
    private static func normalFill<T: FloatingTensorElement>(
        _ p: UnsafeMutablePointer<T>, _ n: Int, uniform: () -> T
    ) {
        for i in 0..<n { p[i] = uniform() }
        func fill16(_ q: UnsafeMutablePointer<T>) {
            for j in 0..<8 {
                let u1 = 1 - q[j], u2 = q[j + 8]
                let radius = (-2 * T.log(u1)).squareRoot()
                let theta = 2 * T.pi * u2
                q[j] = radius * T.cos(theta)
                q[j + 8] = radius * T.sin(theta)
            }
        }
        var i = 0
        while i + 16 <= n { fill16(p + i); i += 16 }
        if n % 16 != 0 {
            let tail = p + n - 16
            for j in 0..<16 { tail[j] = uniform() }
            fill16(tail)
        }
    }

    /// Integers `start, start+step, ...` below `end` (`torch.arange`), int64 by default.
    public static func arange(_ start: Int, _ end: Int, step: Int = 1, dtype: DType = .int64, requiresGrad: Bool = false) -> Tensor {
        guard step != 0 else { fail("arange: step must be nonzero", file: #fileID, line: #line) }
        let n = Swift.max(0, (end - start + step - (step > 0 ? 1 : -1)) / step)
        let t = Tensor(uninitializedShape: [n], dtype: dtype)
        for i in 0..<n { t.storeElement(Double(start + i * step), at: i) }
        return t.settingRequiresGrad(requiresGrad)
    }

    /// Integers `0..<end` (`torch.arange(end)`).
    public static func arange(_ end: Int, dtype: DType = .int64) -> Tensor { arange(0, end, dtype: dtype) }

    /// Values `start, start+step, ...` below `end` (`torch.arange` with floats), float32 by default.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        guard step != 0 else { fail("arange: step must be nonzero", file: #fileID, line: #line) }
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        let t = Tensor(uninitializedShape: [n], dtype: dtype)
        for i in 0..<n { t.storeElement(start + Double(i) * step, at: i) }
        return t.settingRequiresGrad(requiresGrad)
    }

    /// `count` evenly spaced values from `start` to `end` inclusive (`torch.linspace`).
    public static func linspace(_ start: Double, _ end: Double, count: Int, dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: [count], dtype: dtype)
        let step = count > 1 ? (end - start) / Double(count - 1) : 0
        let half = count / 2
        for i in 0..<count {
            t.storeElement(i < half ? start + step * Double(i) : end - step * Double(count - 1 - i), at: i)
        }
        return t.settingRequiresGrad(requiresGrad)
    }

    /// The `n×m` identity (`torch.eye`); `m` defaults to `n`.
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        let cols = m ?? n
        let t = zeros([n, cols], dtype: dtype)
        for i in 0..<Swift.min(n, cols) { t.storeElement(1, at: i * cols + i) }
        return t.settingRequiresGrad(requiresGrad)
    }

    /// Sets `requiresGrad` on a freshly created leaf and returns it.
    func settingRequiresGrad(_ flag: Bool) -> Tensor {
        if flag { requiresGrad = true }
        return self
    }

    /// Writes `value` (converted to the dtype) at contiguous element index `i`.
    func storeElement(_ value: Double, at i: Int) {
        switch dtype {
        case .float32: pointer(Float.self)[i] = Float(value)
        case .float64: pointer(Double.self)[i] = value
        case .int64: pointer(Int64.self)[i] = Int64(flintDouble: value)
        case .bool: pointer(Bool.self)[i] = value != 0
        }
    }

    /// Sets every element of this tensor's (possibly strided) region to `value`.
    func fillStorage(with value: Double) {
        switch dtype {
        case .float32: Elementwise.fill(shape: shape, pointer(Float.self), strides, value: Float(value))
        case .float64: Elementwise.fill(shape: shape, pointer(Double.self), strides, value: value)
        case .int64: Elementwise.fill(shape: shape, pointer(Int64.self), strides, value: Int64(flintDouble: value))
        case .bool: Elementwise.fill(shape: shape, pointer(Bool.self), strides, value: value != 0)
        }
    }
}

extension Tensor {
    /// Refills this tensor with uniform values in `[low, high)` from the default generator,
    /// drawn as PyTorch's `uniform_` draws them (same seed, same values); not recorded.
    @discardableResult
    public func uniform_(_ low: Double = 0, _ high: Double = 1) -> Tensor {
        let fresh = Tensor(uninitializedShape: shape, dtype: dtype)
        defaultGenerator.withLock { g in
            switch dtype {
            case .float32:
                let p = fresh.pointer(Float.self), (lo, span) = (Float(low), Float(high) - Float(low))
                for i in 0..<count { p[i] = g.nextFloat() * span + lo }
            case .float64:
                let p = fresh.pointer(Double.self)
                for i in 0..<count { p[i] = g.nextDouble() * (high - low) + low }
            default:
                fail("uniform_: \"check_uniform_bounds\" not implemented for '\(dtype)'", file: #fileID, line: #line)
            }
        }
        return overwritten(by: fresh)
    }

    /// Refills this tensor with normal values of the given mean and standard deviation
    /// from the default generator, as PyTorch's `normal_`; not recorded.
    @discardableResult
    public func normal_(mean: Double = 0, std: Double = 1) -> Tensor {
        let fresh = Tensor.randn(shape, dtype: dtype)
        return overwritten(by: noGrad { fresh * std + mean })
    }

    /// Copies `values` into this tensor's storage without recording, bumping the version.
    private func overwritten(by values: Tensor) -> Tensor {
        assign(from: values)
        bumpVersion()
        return self
    }
}

extension Tensor {
    /// Uniform random integers in `0..<high` as int64 (`torch.randint`).
    public static func randint(_ high: Int, _ shape: [Int]) -> Tensor {
        precondition(high > 0, "randint: high must be positive, got \(high)")
        let t = Tensor(uninitializedShape: shape, dtype: .int64)
        let p = t.pointer(Int64.self)
        defaultGenerator.withLock { g in
            for i in 0..<t.count { p[i] = Int64(g.next64() % UInt64(high)) }
        }
        return t
    }
}
