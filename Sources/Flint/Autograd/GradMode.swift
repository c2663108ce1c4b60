import CFlintSupport

/// Whether operations on this thread record the autograd graph (`torch.is_grad_enabled`).
public var isGradEnabled: Bool { flint_grad_enabled() }

/// Runs `body` with graph recording off on this thread and returns its value
/// (`with torch.no_grad():`).
@discardableResult
public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
    try withGradMode(false, body)
}

/// Runs `body` with graph recording on, also inside a `noGrad` block (`torch.enable_grad`).
@discardableResult
public func enableGrad<R>(_ body: () throws -> R) rethrows -> R {
    try withGradMode(true, body)
}

/// Turns graph recording on or off for this thread until changed again
/// (`torch.set_grad_enabled`).
public func setGradEnabled(_ enabled: Bool) {
    flint_set_grad_enabled(enabled)
}

/// Whether this thread is inside `inferenceMode { }` (`torch.is_inference_mode_enabled`).
public var isInferenceModeEnabled: Bool { flint_inference_mode() }

/// Runs `body` with recording off and without version-counter bumps for in-place ops
/// (`torch.inference_mode`): cheaper than `noGrad` when the results will never be used
/// in a graph. Like PyTorch, tensors changed in place here are not tracked for autograd's
/// in-place checks.
@discardableResult
public func inferenceMode<R>(_ body: () throws -> R) rethrows -> R {
    let previous = flint_inference_mode()
    flint_set_inference_mode(true)
    defer { flint_set_inference_mode(previous) }
    return try withGradMode(false, body)
}

/// Runs `body` with recording set to `enabled`, restoring the previous mode afterwards.
@inline(__always)
func withGradMode<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
    let previous = flint_grad_enabled()
    flint_set_grad_enabled(enabled)
    defer { flint_set_grad_enabled(previous) }
    return try body()
}
