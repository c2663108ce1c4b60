import CFlintSupport

// Forward-mode automatic differentiation with dual tensors, as torch.autograd.forward_ad.

extension Autograd {
    /// Runs `body` inside a dual level (`forward_ad.dual_level()`): tensors made with
    /// `makeDual` carry a tangent, and every op on them computes its output's tangent
    /// `J·t`. Tangents are dropped when the level ends.
    @discardableResult
    public static func dualLevel<R>(_ body: () throws -> R) rethrows -> R {
        let previous = flint_dual_level()
        flint_set_dual_level(previous + 1)
        defer { flint_set_dual_level(previous) }
        return try body()
    }

    /// A dual tensor: `primal`'s value (a new tensor over the same storage) with `tangent`
    /// attached (`forward_ad.make_dual`). Must be called inside `dualLevel`.
    public static func makeDual(_ primal: Tensor, tangent: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard flint_dual_level() > 0 else { fail("makeDual: forward AD must be used inside Autograd.dualLevel { }", file: file, line: line) }
        guard tangent.shape == primal.shape else {
            fail("makeDual: expected the tangent to have the same shape as the primal, got \(Shape.describe(tangent.shape)) and \(Shape.describe(primal.shape))", file: file, line: line)
        }
        let dual = primal.requiresGrad ? primal.view(primal.shape) : primal.detach()
        dual.tangent = tangent.to(primal.dtype)
        return dual
    }

    /// The primal and the tangent of a tensor (`forward_ad.unpack_dual`); the tangent is
    /// nil for tensors without one or outside a dual level.
    public static func unpackDual(_ tensor: Tensor) -> (primal: Tensor, tangent: Tensor?) {
        (tensor.detachedIfDual(), flint_dual_level() > 0 ? tensor.tangent : nil)
    }
}

extension Tensor {
    /// Whether forward mode needs this op's node: a dual level is active, tangents are not
    /// suspended, and one of `inputs` carries a tangent.
    static func carriesTangent(_ inputs: [Tensor?]) -> Bool {
        flint_dual_level() > 0 && !TangentScope.suspended && inputs.contains { $0?.tangent != nil }
    }

    /// `J·t` for this op's output from its backward node, by differentiating
    /// `Σᵢ ⟨Bᵢ(g), tᵢ⟩` with respect to a dummy output gradient `g` (the backward formulas
    /// are linear in `g` and differentiable, so this is exact for every op).
    func attachTangent(from node: FunctionNode, inputs: [Tensor?]) {
        attachTangent(inputs: inputs) { g, needed in
            var context = BackwardContext(grad: g, saved: try node.unpackSaved(), count: needed.count) { needed[$0] }
            return try node.backward(&context).array
        }
    }

    /// `J·t` from a backward function `backward(g, needed)` giving each input's gradient.
    func attachTangent(inputs: [Tensor?], backward: (Tensor, [Bool]) throws -> [Tensor?]) {
        let tangents = inputs.map { $0?.tangent }
        TangentScope.suspended = true
        defer { TangentScope.suspended = false }
        let result: Tensor? = try? enableGrad {
            let g = Tensor.zeros(shape, dtype: dtype, requiresGrad: true)
            let grads = try backward(g, tangents.map { $0 != nil })
            var total: Tensor?
            for (grad, tangent) in zip(grads, tangents) {
                guard let grad, let tangent, grad.requiresGrad else { continue }
                let term = (grad * tangent.to(grad.dtype)).sum()
                total = total.map { $0 + term } ?? term
            }
            guard let total else { return nil }
            return try Autograd.grad(outputs: [total], inputs: [g], allowUnused: true)[0]
        }
        tangent = result ?? Tensor.zeros(shape, dtype: dtype)
    }

    /// This tensor without its tangent (a new tensor over the same storage) if it has one.
    func detachedIfDual() -> Tensor {
        guard tangent != nil else { return self }
        return Tensor(storage: storage, shape: shape, strides: strides, offset: offset, base: base)
    }
}

/// Per-thread switch that stops tangent propagation while a tangent is being computed.
enum TangentScope {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var suspended: Bool {
        get { pthread_getspecific(key) != nil }
        set { pthread_setspecific(key, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
