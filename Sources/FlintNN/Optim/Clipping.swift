import Flint

/// Scales all gradients so their joint norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`); returns the norm before clipping. `normType`
/// is 2 by default; `.infinity` uses the largest absolute value.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Double, normType: Double = 2) -> Double {
    let grads = parameters.compactMap(\.grad)
    guard !grads.isEmpty else { return 0 }
    return noGrad {
        let total: Double
        if normType == .infinity {
            total = grads.map { $0.abs().max().item() }.max()!
        } else {
            precondition(normType == 2, "clipGradNorm: norm types 2 and infinity are supported, got \(normType)")
            total = Tensor.stack(grads.map { $0.norm().to(.float64) }).norm().item()
        }
        let coefficient = Swift.min(maxNorm / (total + 1e-6), 1)
        for g in grads { g *= coefficient }
        return total
    }
}

/// Clamps every gradient element to `[-clipValue, clipValue]`
/// (`torch.nn.utils.clip_grad_value_`).
public func clipGradValue(_ parameters: [Tensor], clipValue: Double) {
    noGrad {
        for p in parameters {
            if let g = p.grad { g.copy_(g.clamp(min: -clipValue, max: clipValue)) }
        }
    }
}
