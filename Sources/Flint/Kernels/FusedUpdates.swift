import CFlintKernels

/// Optimizer updates fused into one pass over a parameter and its state, so a step
/// reads and writes each array once instead of once per elementwise op.
enum FusedUpdates {
    /// SGD's hyperparameters, in the element type (`1 − dampening` and `−lr` rounded
    /// from double, as the op-by-op step's scalar operands are).
    struct SGD<T: FloatingTensorElement> {
        let negativeLr: T, momentum: T, oneMinusDampening: T, weightDecay: T
        let nesterov: Bool
    }

    /// For each element: `d = g + weightDecay·p`, `b = momentum·b + (1 − dampening)·d`,
    /// `p −= lr·(nesterov ? d + momentum·b : b)` — the same operations, in the same order,
    /// as the op-by-op step, so results are identical. Float32 runs in C (AVX-512 where
    /// the CPU has it, else the compiler's vectorisation for the baseline target). The
    /// pass reads three arrays and writes two, so it is split across threads from an
    /// eighth of the elementwise grain (W3's 784×256 weight).
    static func sgd<T: FloatingTensorElement>(
        count: Int, param: UnsafeMutablePointer<T>, grad: UnsafePointer<T>, buffer: UnsafeMutablePointer<T>, _ h: SGD<T>
    ) {
        Parallel.forRange(count, costPerItem: 8) { range in
            if T.self == Float.self {
                let f = unsafeBitCast(h, to: SGD<Float>.self)
                flint_sgd_step(Int64(range.count), UnsafeMutableRawPointer(param + range.lowerBound).assumingMemoryBound(to: Float.self),
                               UnsafeRawPointer(grad + range.lowerBound).assumingMemoryBound(to: Float.self),
                               UnsafeMutableRawPointer(buffer + range.lowerBound).assumingMemoryBound(to: Float.self),
                               f.negativeLr, f.momentum, f.oneMinusDampening, f.weightDecay, f.nesterov ? 1 : 0)
                return
            }
            for i in range {
                var d = grad[i]
                if h.weightDecay != 0 { d = d + param[i] * h.weightDecay }
                var b = buffer[i] * h.momentum
                b = h.oneMinusDampening == 1 ? b + d : b + h.oneMinusDampening * d
                buffer[i] = b
                let step = h.nesterov ? d + b * h.momentum : b
                param[i] = param[i] + h.negativeLr * step
            }
        }
    }
}
