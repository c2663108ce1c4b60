#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pair of saved-tensor hooks: `pack` turns a tensor a node saves into any value,
/// `unpack` turns it back when backward needs it.
struct SavedTensorHookPair {
    let pack: (Tensor) -> Any
    let unpack: (Any) -> Tensor
}

/// This thread's stack of saved-tensor hooks (innermost last).
final class SavedTensorHookStack {
    var pairs: [SavedTensorHookPair] = []

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<SavedTensorHookStack>.fromOpaque(raw).release() }
        }
        return key
    }()

    /// The current thread's stack, created on first use.
    static var current: SavedTensorHookStack {
        if let raw = pthread_getspecific(key) { return Unmanaged<SavedTensorHookStack>.fromOpaque(raw).takeUnretainedValue() }
        let stack = SavedTensorHookStack()
        pthread_setspecific(key, Unmanaged.passRetained(stack).toOpaque())
        return stack
    }

    /// The innermost hooks of this thread, if any are active.
    static var innermost: SavedTensorHookPair? {
        guard let raw = pthread_getspecific(key) else { return nil }
        return Unmanaged<SavedTensorHookStack>.fromOpaque(raw).takeUnretainedValue().pairs.last
    }
}

extension Autograd {
    /// Runs `body` with hooks applied to every tensor a node saves while recording
    /// (`torch.autograd.graph.saved_tensors_hooks`): `pack` runs when the tensor is saved
    /// and its result is kept instead; `unpack` runs when backward needs the tensor. Use
    /// them to compress, offload or log saved activations. Scopes nest; the innermost
    /// applies. Packed tensors are not version-checked (the hooks own their copies).
    @discardableResult
    public static func savedTensorHooks<R>(
        pack: @escaping (Tensor) -> Any, unpack: @escaping (Any) -> Tensor, _ body: () throws -> R
    ) rethrows -> R {
        let stack = SavedTensorHookStack.current
        stack.pairs.append(SavedTensorHookPair(pack: pack, unpack: unpack))
        defer { stack.pairs.removeLast() }
        return try body()
    }
}
