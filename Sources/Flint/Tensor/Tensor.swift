import CFlintSupport

/// An n-dimensional array with define-by-run automatic differentiation, as PyTorch's
/// `torch.Tensor`. A tensor is a reference: views, `detach()` and `data` share its
/// storage, and in-place operations (`+=`, methods ending in `_`) change it for all.
public final class Tensor: @unchecked Sendable {
    /// The buffer this tensor reads (a `var` only so that uniqueness can be checked;
    /// it is never reassigned).
    var storage: Storage
    /// The size of each dimension.
    public let shape: [Int]
    /// Elements to step in `storage` per index step in each dimension.
    let strides: [Int]
    /// Element offset of index (0, 0, ...) in `storage`.
    let offset: Int
    /// The tensor this one is a view of (its own base, never a view itself), if any.
    let base: Tensor?
    /// Whether the elements are laid out row-major without gaps.
    public let isContiguous: Bool

    /// Set on leaves by the user (`requiresGrad = true`).
    var flagsRequiresGrad: Bool
    /// The node that computes this tensor's gradient contribution, nil for leaves.
    @exclusivity(unchecked) var gradNode: Node?
    /// Which output of `gradNode` this tensor is.
    var outputNr: Int = 0
    /// The accumulated gradient of a leaf (or of a non-leaf after `retainGrad()`).
    @exclusivity(unchecked) var gradStorage: Tensor?
    /// Whether a non-leaf keeps its gradient (`retainGrad()`).
    var retainsGradFlag = false
    /// The leaf's gradient accumulator, shared by every use of the leaf in live graphs.
    weak var accumulator: AccumulateGrad?
    /// The forward-mode tangent of a dual tensor (inside `Autograd.dualLevel`).
    var tangent: Tensor?
    /// Hooks on a leaf's gradient, run before accumulation (`registerHook`).
    var leafHooks: [Registered<(Tensor) -> Tensor?>] = []
    /// Hooks run after a leaf's `grad` is updated.
    var postAccumulateHooks: [Registered<(Tensor) -> Void>] = []

    /// A tensor over `storage`; `isContiguous`, when the caller knows it, spares the
    /// check of the strides.
    init(
        storage: Storage, shape: [Int], strides: [Int], offset: Int = 0, base: Tensor? = nil, isContiguous: Bool? = nil
    ) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.base = base
        self.isContiguous = isContiguous ?? Shape.isContiguous(shape: shape, strides: strides)
        self.flagsRequiresGrad = false
    }

    /// A new contiguous tensor with uninitialised contents; `like`, a contiguous tensor of
    /// the same shape, lends its strides array (saving an allocation per op).
    convenience init(uninitializedShape shape: [Int], dtype: DType, like: Tensor? = nil) {
        let count = Shape.count(shape)
        let strides = like.map { $0.shape == shape && $0.isContiguous ? $0.strides : nil } ?? nil
        self.init(storage: Storage.make(count: count, dtype: dtype), shape: shape, strides: strides ?? Shape.contiguousStrides(shape), isContiguous: true)
    }

    deinit {
        if let node = gradNode, isKnownUniquelyReferenced(&gradNode) {
            gradNode = nil
            Node.releaseIteratively(node)
        }
    }

    /// The element type.
    public var dtype: DType { storage.dtype }

    /// Counts in-place changes; shared with views (it is the storage).
    var version: Storage { storage }

    /// Records one in-place change (skipped in `inferenceMode`, as PyTorch does).
    @inline(__always)
    func bumpVersion() {
        if !flint_inference_mode() { storage.value += 1 }
    }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { Shape.count(shape) }


    /// The size of dimension `dim` (negative counts from the end).
    public func size(_ dim: Int) -> Int { shape[Shape.normalize(dim, rank: rank, op: "size")] }

    /// A typed pointer to this tensor's first element.
    @inline(__always)
    func pointer<T: TensorElement>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        storage.pointer(as: T.self) + offset
    }

    /// A tensor over the same storage with another geometry, sharing the version counter
    /// and recording this tensor (or its base) as the base.
    func viewing(shape: [Int], strides: [Int], offset: Int) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, base: base ?? self)
    }
}
