import Synchronization

/// The 32-bit Mersenne Twister (MT19937) PyTorch's CPU generator is built on, with the
/// same seeding, so `manualSeed(s)` followed by `rand`/`randn` reproduces PyTorch's
/// sequence for contiguous float tensors (up to rounding in transcendental functions).
struct MersenneTwister {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624
    /// PyTorch caches the second value of each Box-Muller pair for double normals.
    var cachedNormal: Double?

    init(seed: UInt64) {
        state[0] = UInt32(truncatingIfNeeded: seed)
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
    }

    /// The next 32 random bits.
    mutating func next32() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// The next 64 random bits (two draws, the first as the high half).
    mutating func next64() -> UInt64 {
        let hi = UInt64(next32()), lo = UInt64(next32())
        return hi << 32 | lo
    }

    /// A uniform float in [0, 1) from 24 random bits, as PyTorch draws float32 values.
    mutating func nextFloat() -> Float { Float(next32() & 0xFF_FFFF) * (1.0 / 16_777_216.0) }

    /// A uniform double in [0, 1) from 53 random bits.
    mutating func nextDouble() -> Double { Double(next64() & 0x1F_FFFF_FFFF_FFFF) * (1.0 / 9_007_199_254_740_992.0) }

    /// A standard normal double by Box-Muller, caching the pair's second value.
    mutating func nextNormal() -> Double {
        if let cached = cachedNormal {
            cachedNormal = nil
            return cached
        }
        let u1 = nextDouble(), u2 = nextDouble()
        let r = (-2.0 * log1p(-u2)).squareRoot()
        let theta = 2.0 * Double.pi * u1
        cachedNormal = r * sin(theta)
        return r * cos(theta)
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            var next = state[(i + 397) % 624] ^ (y >> 1)
            if y & 1 != 0 { next ^= 0x9908_B0DF }
            state[i] = next
        }
        index = 0
    }
}

/// The process-wide default generator behind `rand`, `randn` and `manualSeed`.
let defaultGenerator = Mutex(MersenneTwister(seed: 67_280_421_310_721))

/// Seeds the default random generator, as `torch.manual_seed`.
public func manualSeed(_ seed: UInt64) {
    defaultGenerator.withLock { $0 = MersenneTwister(seed: seed) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
