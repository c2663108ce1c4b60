// Gradient checkpointing: trade compute for memory.

extension Autograd {
    /// Runs `block` on `inputs` without keeping its intermediate tensors, recording one
    /// node (CheckpointFunctionBackward) that saves only `inputs` and `parameters`;
    /// backward runs `block` again with recording on and differentiates that
    /// (`torch.utils.checkpoint`). List in `parameters` every other tensor the block uses
    /// that needs a gradient (a layer's weights): they become edges of the node, so their
    /// gradients flow as usual and double backward works. The block must compute the same
    /// function each time (draw random numbers outside it).
    public static func checkpoint(
        _ inputs: [Tensor], parameters: [Tensor] = [], _ block: @escaping ([Tensor]) throws -> Tensor
    ) rethrows -> Tensor {
        let output = try noGrad { try block(inputs) }
        let all = inputs + parameters
        guard Tensor.recording(all) else { return output }
        let inputCount = inputs.count
        return output.recorded("CheckpointFunctionBackward", inputs: all, saving: all) { c in
            let saved = c.saved
            let recomputed = try enableGrad { try block(Array(saved.prefix(inputCount))) }
            let differentiable = saved.indices.filter { saved[$0].requiresGrad && c.needs($0) }
            guard recomputed.requiresGrad, !differentiable.isEmpty else { return InputGradients(noneFor: saved.count) }
            let grads = try grad(outputs: [recomputed], inputs: differentiable.map { saved[$0] }, gradOutputs: [c.grad],
                                 retainGraph: isGradEnabled, createGraph: isGradEnabled, allowUnused: true)
            var result = InputGradients(noneFor: saved.count)
            for (slot, i) in differentiable.enumerated() { result[i] = grads[slot] }
            return result
        }
    }
}
