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

/// Runs `body` with recording set to `enabled`, restoring the previous mode afterwards.
@inline(__always)
func withGradMode<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
    let previous = flint_grad_enabled()
    flint_set_grad_enabled(enabled)
    defer { flint_set_grad_enabled(previous) }
    return try body()
}
