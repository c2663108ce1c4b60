// Function transforms over Swift closures of tensors, as torch.autograd.functional:
// inputs are treated as values (fresh leaves, no `.grad` is touched), results are
// detached unless `createGraph`, and `strict` rejects outputs independent of an input.

extension Autograd {
    /// The output of `f` and the vector-Jacobian product `vᵀ·J` for each input
    /// (`torch.autograd.functional.vjp`); `v` may be omitted for a one-element output.
    public static func vjp(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], v: Tensor? = nil,
        createGraph: Bool = false, strict: Bool = false
    ) throws -> (output: Tensor, vjp: [Tensor]) {
        let xs = inputs.map { functionalInput($0, createGraph: createGraph) }
        let output = try enableGrad { try f(xs) }
        let grads = try gradients(of: output, xs, gradOutput: v, createGraph: createGraph, strict: strict, transform: "vjp")
        return (finished(output, createGraph), grads)
    }

    /// The output of `f` and the Jacobian-vector product `J·v` (`torch.autograd.functional.jvp`),
    /// computed in forward mode with dual tensors; with `createGraph` (a differentiable
    /// result), by differentiating a vector-Jacobian product as PyTorch's functional jvp
    /// does. `v` may be omitted when the inputs have one element.
    public static func jvp(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], v: [Tensor]? = nil,
        createGraph: Bool = false, strict: Bool = false
    ) throws -> (output: Tensor, jvp: Tensor) {
        let xs = inputs.map { functionalInput($0, createGraph: createGraph) }
        let tangents = try v ?? inputs.map { input in
            guard input.count == 1 else { throw AutogradError(.invalidArgument, "The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.") }
            return Tensor.ones(input.shape, dtype: input.dtype)
        }
        if !createGraph {
            let (output, tangent) = try dualLevel { () -> (Tensor, Tensor?) in
                let duals = zip(xs, tangents).map { makeDual($0.detach(), tangent: $1) }
                return unpackDual(try f(duals))
            }
            if strict && tangent == nil {
                throw AutogradError(.invalidArgument, "The output of the user-provided function is independent of input 0. This is not allowed in strict mode.")
            }
            return (output.detach(), tangent?.detach() ?? Tensor.zeros(like: output))
        }
        return try enableGrad {
            let output = try f(xs)
            let dummy = Tensor.zeros(output.shape, dtype: output.dtype, requiresGrad: true)
            let transposed = try gradients(of: output, xs, gradOutput: dummy, createGraph: true, strict: strict, transform: "jvp")
            let usable = zip(transposed, tangents).filter { $0.0.requiresGrad }
            guard !usable.isEmpty else { return (finished(output, createGraph), Tensor.zeros(like: output)) }
            let result = try grad(outputs: usable.map(\.0), inputs: [dummy], gradOutputs: usable.map(\.1), createGraph: createGraph, allowUnused: true)[0]
            return (finished(output, createGraph), finished(result ?? Tensor.zeros(like: output), createGraph))
        }
    }

    /// The Jacobian of `f` with respect to each input: for input i, a tensor of shape
    /// `output.shape + inputs[i].shape` (`torch.autograd.functional.jacobian`).
    public static func jacobian(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], createGraph: Bool = false, strict: Bool = false
    ) throws -> [Tensor] {
        let xs = inputs.map { functionalInput($0, createGraph: createGraph) }
        let output = try enableGrad { try f(xs) }
        var rows: [[Tensor]] = []
        for o in 0..<output.count {
            var oneHot = [Double](repeating: 0, count: output.count)
            oneHot[o] = 1
            let v = Tensor(flat: oneHot, shape: output.shape, dtype: output.dtype)
            rows.append(try gradients(of: output, xs, gradOutput: v, createGraph: createGraph, strict: strict, transform: "jacobian", retainGraph: true))
        }
        return xs.indices.map { i in
            let stacked = rows.isEmpty ? Tensor.zeros([0] + xs[i].shape, dtype: xs[i].dtype) : Tensor.stack(rows.map { $0[i] })
            return finished(stacked.reshape(output.shape + xs[i].shape), createGraph)
        }
    }

    /// The Hessian of a scalar function: `H[i][j]` has shape `inputs[i].shape + inputs[j].shape`
    /// (`torch.autograd.functional.hessian`).
    public static func hessian(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], createGraph: Bool = false, strict: Bool = false
    ) throws -> [[Tensor]] {
        let gradientFunction: ([Tensor]) throws -> Tensor = { xs in
            let output = try f(xs)
            try requireScalar(output, transform: "hessian")
            let grads = try gradients(of: output, xs, gradOutput: nil, createGraph: true, strict: strict, transform: "hessian")
            return Tensor.cat(grads.map { $0.reshape([-1]) })
        }
        let flat = try jacobian(gradientFunction, inputs: inputs, createGraph: createGraph, strict: strict)
        var offsets = [0]
        for input in inputs { offsets.append(offsets.last! + input.count) }
        return inputs.indices.map { i in
            inputs.indices.map { j in
                flat[j].slice(dim: 0, start: offsets[i], end: offsets[i + 1]).reshape(inputs[i].shape + inputs[j].shape)
            }
        }
    }

    /// The output of a scalar function and the Hessian-vector product `H·v`
    /// (`torch.autograd.functional.hvp`).
    public static func hvp(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], v: [Tensor], createGraph: Bool = false, strict: Bool = false
    ) throws -> (output: Tensor, hvp: [Tensor]) {
        try secondOrderProduct(f, inputs: inputs, v: v, createGraph: createGraph, strict: strict, transform: "hvp")
    }

    /// The output of a scalar function and the vector-Hessian product `vᵀ·H`
    /// (`torch.autograd.functional.vhp`; equal to `hvp` for symmetric Hessians).
    public static func vhp(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], v: [Tensor], createGraph: Bool = false, strict: Bool = false
    ) throws -> (output: Tensor, vhp: [Tensor]) {
        let (output, product) = try secondOrderProduct(f, inputs: inputs, v: v, createGraph: createGraph, strict: strict, transform: "vhp")
        return (output, product)
    }

    /// `∇(∇f · v)`: the derivative of the gradient projected on `v`.
    private static func secondOrderProduct(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], v: [Tensor], createGraph: Bool, strict: Bool, transform: String
    ) throws -> (Tensor, [Tensor]) {
        let xs = inputs.map { functionalInput($0, createGraph: createGraph) }
        return try enableGrad {
            let output = try f(xs)
            try requireScalar(output, transform: transform)
            let grads = try gradients(of: output, xs, gradOutput: nil, createGraph: true, strict: strict, transform: transform)
            let projected = zip(grads, v).map { ($0 * $1).sum() }.reduce(Tensor.zeros([], dtype: output.dtype), +)
            guard projected.requiresGrad else {
                if strict { throw AutogradError(.invalidArgument, "The Hessian of the user-provided function with respect to input 0 is independent of the input. This is not allowed in strict mode.") }
                return (finished(output, createGraph), xs.map { Tensor.zeros(like: $0) })
            }
            let second = try gradients(of: projected, xs, gradOutput: nil, createGraph: createGraph, strict: strict, transform: transform)
            return (finished(output, createGraph), second.map { finished($0, createGraph) })
        }
    }

    /// A fresh leaf over the input's value (kept in the caller's graph with `createGraph`).
    private static func functionalInput(_ input: Tensor, createGraph: Bool) -> Tensor {
        if createGraph && input.requiresGrad { return input.view(input.shape) }
        return input.detach().requiresGrad_(input.dtype.isFloatingPoint)
    }

    private static func finished(_ t: Tensor, _ createGraph: Bool) -> Tensor { createGraph ? t : t.detach() }

    private static func requireScalar(_ output: Tensor, transform: String) throws {
        guard output.count == 1 else {
            throw AutogradError(.invalidArgument, "The Tensor returned by the function given to \(transform) should contain a single element")
        }
    }

    /// Gradients of `output` for every input, zeros (or an error with `strict`) for
    /// inputs it does not depend on.
    private static func gradients(
        of output: Tensor, _ inputs: [Tensor], gradOutput: Tensor?, createGraph: Bool, strict: Bool, transform: String,
        retainGraph: Bool = false
    ) throws -> [Tensor] {
        guard output.requiresGrad else {
            if strict { throw AutogradError(.invalidArgument, "The output of the user-provided function is independent of input 0. This is not allowed in strict mode.") }
            return inputs.map { Tensor.zeros(like: $0) }
        }
        let differentiable = inputs.filter(\.requiresGrad)
        let raw = try grad(outputs: [output], inputs: differentiable, gradOutputs: [gradOutput], retainGraph: retainGraph || createGraph, createGraph: createGraph, allowUnused: true)
        var results: [Tensor] = []
        var next = raw.makeIterator()
        for (i, input) in inputs.enumerated() {
            let g = input.requiresGrad ? next.next()! : nil
            if g == nil && strict {
                throw AutogradError(.invalidArgument, "The output of the user-provided function is independent of input \(i). This is not allowed in strict mode.")
            }
            results.append(g ?? Tensor.zeros(like: input))
        }
        return results
    }
}
