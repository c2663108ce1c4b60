// Hooks on tensors and nodes, as PyTorch's register_hook family.

/// Removes the hook it was returned for (`RemovableHandle`).
public final class HookHandle {
    private var removal: (() -> Void)?

    init(_ removal: @escaping () -> Void) { self.removal = removal }

    /// Removes the hook; later calls do nothing.
    public func remove() {
        removal?()
        removal = nil
    }
}

/// A hook stored with the identifier its handle removes.
struct Registered<Hook> {
    let id: Int
    let hook: Hook
}

/// Identifiers for hooks, unique per process.
private let hookCounter = Mutex(0)

private func nextHookID() -> Int { hookCounter.withLock { $0 += 1; return $0 } }

extension Tensor {
    /// Registers `hook` to run when this tensor's gradient is computed (`register_hook`);
    /// returning a tensor replaces the gradient. For a leaf it runs before the gradient is
    /// accumulated into `grad`; for a non-leaf, before its node runs.
    @discardableResult
    public func registerHook(_ hook: @escaping (Tensor) -> Tensor?) -> HookHandle {
        let entry = Registered(id: nextHookID(), hook: hook)
        if let node = gradNode {
            node.tensorPreHooks.append(entry)
            return HookHandle { [weak node] in node?.tensorPreHooks.removeAll { $0.id == entry.id } }
        }
        precondition(requiresGrad, "cannot register a hook on a tensor that doesn't require gradient")
        leafHooks.append(entry)
        return HookHandle { [weak self] in self?.leafHooks.removeAll { $0.id == entry.id } }
    }

    /// Registers `hook` to run on a leaf after its `grad` has been updated
    /// (`register_post_accumulate_grad_hook`).
    @discardableResult
    public func registerPostAccumulateGradHook(_ hook: @escaping (Tensor) -> Void) -> HookHandle {
        precondition(isLeaf && requiresGrad, "post accumulate grad hooks cannot be registered on non-leaf tensors")
        let entry = Registered(id: nextHookID(), hook: hook)
        postAccumulateHooks.append(entry)
        return HookHandle { [weak self] in self?.postAccumulateHooks.removeAll { $0.id == entry.id } }
    }

    /// The gradient after this leaf's hooks, in registration order.
    func applyingLeafHooks(_ grad: Tensor) -> Tensor {
        leafHooks.reduce(grad) { $1.hook($0) ?? $0 }
    }
}

extension Node {
    /// Registers `hook` to run before this node with the gradients of its outputs
    /// (`register_prehook`); returning an array replaces them.
    @discardableResult
    public func registerPrehook(_ hook: @escaping ([Tensor?]) -> [Tensor?]?) -> HookHandle {
        let entry = Registered(id: nextHookID(), hook: hook)
        preHooks.append(entry)
        return HookHandle { [weak self] in self?.preHooks.removeAll { $0.id == entry.id } }
    }

    /// Registers `hook` to run after this node with (input gradients, output gradients)
    /// (`register_hook`); returning an array replaces the input gradients.
    @discardableResult
    public func registerHook(_ hook: @escaping ([Tensor?], [Tensor?]) -> [Tensor?]?) -> HookHandle {
        let entry = Registered(id: nextHookID(), hook: hook)
        postHooks.append(entry)
        return HookHandle { [weak self] in self?.postHooks.removeAll { $0.id == entry.id } }
    }

    /// The output gradient after the hooks registered on the output tensor.
    func applyingTensorPreHooks(_ grad: Tensor?) -> Tensor? {
        tensorPreHooks.reduce(grad) { g, entry in g.map { entry.hook($0) ?? $0 } }
    }

    /// The output gradient after the node pre-hooks (which see it as a one-element list).
    func applyingNodePreHooks(_ grad: Tensor?) -> Tensor? {
        preHooks.reduce([grad]) { $1.hook($0) ?? $0 }.first ?? nil
    }
}

import Synchronization
