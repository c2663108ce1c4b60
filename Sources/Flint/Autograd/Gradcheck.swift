// Numerical gradient checking, as torch.autograd.gradcheck / gradgradcheck.

/// A gradient that disagrees with central differences, with both Jacobians.
public struct GradcheckError: Error, CustomStringConvertible {
    /// PyTorch's message: which output and input, and the numerical and analytical values.
    public let description: String
}

extension Autograd {
    /// Checks the gradients `backward` computes for `f` against central differences, as
    /// `torch.autograd.gradcheck` (eps 1e-6, atol 1e-5, rtol 1e-3). The inputs should be
    /// float64 leaves that require grad; they are perturbed in place and restored. The
    /// default compares whole Jacobians; `fastMode` compares one random projection
    /// `vᵀ·J·u` per input, as PyTorch's fast mode. Throws `GradcheckError` on mismatch.
    @discardableResult
    public static func gradcheck(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5,
        rtol: Double = 1e-3, fastMode: Bool = false
    ) throws -> Bool {
        let output = try f(inputs)
        let differentiable = inputs.indices.filter { inputs[$0].requiresGrad }
        var random = ProjectionRandom(seed: 0x5EED)
        if fastMode {
            let v = Tensor(flat: random.values(output.count), shape: output.shape, dtype: .float64)
            let analytic = try grad(outputs: [output], inputs: differentiable.map { inputs[$0] }, gradOutputs: [v], allowUnused: true)
            for (slot, k) in differentiable.enumerated() {
                let u = random.values(inputs[k].count)
                let exact = analytic[slot].map { a in zip(a.scalars(as: Double.self), u).reduce(0) { $0 + $1.0 * $1.1 } } ?? 0
                let numeric = try directionalDerivative(f, inputs, input: k, direction: u, eps: eps) { $0.scalars(as: Double.self) }
                let projected = zip(numeric, v.scalars(as: Double.self)).reduce(0) { $0 + $1.0 * $1.1 }
                guard Swift.abs(exact - projected) <= atol + rtol * Swift.abs(projected) else {
                    throw GradcheckError(description: "Jacobian mismatch for output 0 with respect to input \(k) in fast mode: the projection vᵀJu is \(exact) analytically and \(projected) numerically")
                }
            }
            return true
        }
        var rows: [[Tensor?]] = []
        for o in 0..<output.count {
            var oneHot = [Double](repeating: 0, count: output.count)
            oneHot[o] = 1
            let v = Tensor(flat: oneHot, shape: output.shape, dtype: output.dtype)
            rows.append(try grad(outputs: [output], inputs: differentiable.map { inputs[$0] }, gradOutputs: [v], retainGraph: true, allowUnused: true))
        }
        for (slot, k) in differentiable.enumerated() {
            let n = inputs[k].count
            var analytic = [Double](repeating: 0, count: n * output.count), numeric = analytic
            for (o, row) in rows.enumerated() {
                if let g = row[slot] { for (e, value) in g.scalars(as: Double.self).enumerated() { analytic[e * output.count + o] = value } }
            }
            for e in 0..<n {
                var direction = [Double](repeating: 0, count: n)
                direction[e] = 1
                let column = try directionalDerivative(f, inputs, input: k, direction: direction, eps: eps) { $0.scalars(as: Double.self) }
                for o in 0..<output.count { numeric[e * output.count + o] = column[o] }
            }
            if let bad = analytic.indices.first(where: { !(Swift.abs(analytic[$0] - numeric[$0]) <= atol + rtol * Swift.abs(numeric[$0])) }) {
                let shape = [n, output.count]
                throw GradcheckError(description: "Jacobian mismatch for output 0 with respect to input \(k) (first at element \(bad / output.count), output \(bad % output.count)),\nnumerical:\(Tensor(flat: numeric, shape: shape, dtype: .float64))\nanalytical:\(Tensor(flat: analytic, shape: shape, dtype: .float64))")
            }
        }
        return true
    }

    /// Checks second derivatives: `gradcheck` of the vector-Jacobian product of `f`
    /// (built with `createGraph`) with respect to the inputs and the output gradient, as
    /// `torch.autograd.gradgradcheck`.
    @discardableResult
    public static func gradgradcheck(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5,
        rtol: Double = 1e-3, fastMode: Bool = false
    ) throws -> Bool {
        let probe = try f(inputs)
        var random = ProjectionRandom(seed: 0x6A6A)
        let v = Tensor(flat: random.values(probe.count), shape: probe.shape, dtype: .float64, requiresGrad: true)
        let vjp: ([Tensor]) throws -> Tensor = { all in
            let xs = Array(all.dropLast())
            let recording = isGradEnabled
            let grads = try enableGrad {
                try grad(outputs: [f(xs)], inputs: xs.filter(\.requiresGrad), gradOutputs: [all.last!], createGraph: recording, allowUnused: true)
            }
            let pieces = zip(xs.filter(\.requiresGrad), grads).map { x, g in (g ?? Tensor.zeros(like: x)).reshape([-1]) }
            return Tensor.cat(pieces)
        }
        return try gradcheck(vjp, inputs: inputs + [v], eps: eps, atol: atol, rtol: rtol, fastMode: fastMode)
    }

    /// Central differences of `f`'s output along `direction` in input `k`'s elements,
    /// perturbing the input's storage in place and restoring it.
    private static func directionalDerivative(
        _ f: ([Tensor]) throws -> Tensor, _ inputs: [Tensor], input k: Int, direction: [Double], eps: Double,
        read: (Tensor) -> [Double]
    ) throws -> [Double] {
        let x = inputs[k]
        let original = (0..<x.count).map { x.element(atLinear: $0) }
        func evaluate(_ sign: Double) throws -> [Double] {
            for i in 0..<x.count where direction[i] != 0 { x.setElement(atLinear: i, to: original[i] + sign * eps * direction[i]) }
            defer { for i in 0..<x.count { x.setElement(atLinear: i, to: original[i]) } }
            return read(try noGrad { try f(inputs) })
        }
        let plus = try evaluate(1), minus = try evaluate(-1)
        return zip(plus, minus).map { ($0 - $1) / (2 * eps) }
    }
}

/// A small seeded generator for the projections (SplitMix64), independent of the
/// default generator so checks do not disturb `manualSeed` streams.
private struct ProjectionRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func values(_ n: Int) -> [Double] {
        (0..<n).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53) * 2 - 1
        }
    }
}

extension Tensor {
    /// Writes `value` at row-major position `index` of this (possibly strided) tensor,
    /// without recording or bumping the version: for perturbations that are undone.
    func setElement(atLinear index: Int, to value: Double) {
        var rest = index, position = offset
        for d in stride(from: rank - 1, through: 0, by: -1) {
            position += (rest % shape[d]) * strides[d]
            rest /= shape[d]
        }
        switch dtype {
        case .float32: storage.pointer(as: Float.self)[position] = Float(value)
        case .float64: storage.pointer(as: Double.self)[position] = value
        case .int64: storage.pointer(as: Int64.self)[position] = Int64(flintDouble: value)
        case .bool: storage.pointer(as: Bool.self)[position] = value != 0
        }
    }
}
