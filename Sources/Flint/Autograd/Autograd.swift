/// Entry points of reverse-mode differentiation that are not methods of a tensor.
public enum Autograd {
    /// The gradients of `outputs` with respect to `inputs` (`torch.autograd.grad`),
    /// without touching any `.grad`. `gradOutputs` defaults to ones for one-element
    /// outputs. With `createGraph` the result is itself differentiable (higher-order
    /// derivatives); `retainGraph` defaults to `createGraph`. An input the outputs do not
    /// depend on throws unless `allowUnused`, which gives nil for it.
    public static func grad(
        outputs: [Tensor], inputs: [Tensor], gradOutputs: [Tensor?]? = nil,
        retainGraph: Bool? = nil, createGraph: Bool = false, allowUnused: Bool = false
    ) throws -> [Tensor?] {
        let (roots, grads) = try rootsAndGrads(outputs, gradOutputs)
        var captures: [Edge] = []
        for input in inputs {
            guard input.requiresGrad else {
                throw AutogradError(.invalidArgument, "One of the differentiated Tensors does not require grad")
            }
            captures.append(input.gradNode.map { Edge(node: $0, inputNr: input.outputNr) } ?? Edge(node: input.gradAccumulator, inputNr: 0))
        }
        let results = try Engine.execute(roots: roots, grads: grads, keepGraph: retainGraph ?? createGraph, createGraph: createGraph, captures: captures)
        if !allowUnused, results.contains(where: { $0 == nil }) {
            throw AutogradError(.unusedInput, "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.")
        }
        return results
    }

    /// Runs backward from several outputs at once (`torch.autograd.backward`).
    public static func backward(
        _ tensors: [Tensor], gradTensors: [Tensor?]? = nil, retainGraph: Bool? = nil, createGraph: Bool = false
    ) throws {
        let (roots, grads) = try rootsAndGrads(tensors, gradTensors)
        _ = try Engine.execute(roots: roots, grads: grads, keepGraph: retainGraph ?? createGraph, createGraph: createGraph)
    }

    /// Validates outputs and their gradients, making implicit ones for scalars.
    private static func rootsAndGrads(_ outputs: [Tensor], _ gradOutputs: [Tensor?]?) throws -> ([Edge], [Tensor]) {
        if let gradOutputs, gradOutputs.count != outputs.count {
            throw AutogradError(.invalidArgument, "grad requires one gradient per output: got \(gradOutputs.count) gradients and \(outputs.count) outputs")
        }
        var roots: [Edge] = [], grads: [Tensor] = []
        for (i, output) in outputs.enumerated() {
            guard output.requiresGrad else {
                throw AutogradError(.doesNotRequireGrad, "element \(i) of tensors does not require grad and does not have a grad_fn")
            }
            if let given = gradOutputs?[i] {
                guard given.shape == output.shape else {
                    throw AutogradError(.shapeMismatch, "Mismatch in shape: grad_output[\(i)] has a shape of torch.Size(\(Shape.describe(given.shape))) and output[\(i)] has a shape of torch.Size(\(Shape.describe(output.shape))).", location: output.gradNode?.location)
                }
                grads.append(given)
            } else {
                guard output.count == 1 else {
                    throw AutogradError(.implicitGradientForNonScalar, "grad can be implicitly created only for scalar outputs", location: output.gradNode?.location)
                }
                grads.append(Tensor.ones(output.shape, dtype: output.dtype))
            }
            roots.append(output.gradientEdge)
        }
        return (roots, grads)
    }
}

extension Tensor {
    /// Computes the gradient of this tensor with respect to the graph's leaves and adds
    /// it into their `grad` (`tensor.backward()`). A one-element tensor may omit
    /// `gradient`; otherwise it is the vector of the vector-Jacobian product.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false) throws {
        try Autograd.backward([self], gradTensors: [gradient], retainGraph: retainGraph, createGraph: createGraph)
    }
}
