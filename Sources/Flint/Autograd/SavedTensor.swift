/// A tensor kept by a node for its backward formula, with the version it had then, so
/// that a later in-place change is caught (PyTorch's `SavedVariable`). A node that saves
/// its own output keeps it without its `gradFn` (no reference cycle) and reattaches the
/// node when unpacking, so double backward through the output still works.
struct SavedTensor {
    private var tensor: Tensor?
    private let savedVersion: Int
    private let isOutput: Bool
    private let outputNr: Int
    /// The node that produced a saved input (its gradFn when saved), for error messages;
    /// in-place ops may later give the tensor another gradFn.
    private var producer: Node?
    private let savedType: DType
    /// The hooks' packed value and unpack function, and the shape the tensor had, when
    /// saved under saved-tensor hooks (otherwise the kept tensor has the shape). Boxed, so
    /// that copying and destroying a saved tensor never goes through an existential's
    /// run-time value witnesses.
    private var packed: Packed?

    private final class Packed {
        let value: Any
        let unpack: (Any) -> Tensor
        let shape: [Int]

        init(value: Any, unpack: @escaping (Any) -> Tensor, shape: [Int]) {
            self.value = value
            self.unpack = unpack
            self.shape = shape
        }
    }

    private var savedShape: [Int] { packed?.shape ?? tensor?.shape ?? [] }

    /// Shape and bytes of the saved tensor, and whether it is an activation (an op's
    /// result, kept only for backward) rather than a leaf, for graph pictures.
    var summary: (shape: [Int], bytes: Int, isActivation: Bool) {
        (savedShape, Shape.count(savedShape) * savedType.byteSize, isOutput || producer != nil)
    }

    /// Saves an input (kept as is, or packed by the innermost saved-tensor hooks).
    init(input: Tensor) {
        tensor = input
        savedVersion = input.version.value
        isOutput = false
        outputNr = input.outputNr
        producer = input.gradNode
        savedType = input.dtype
        applyHooks()
    }

    /// Saves the output of the node being created, without its graph link.
    init(output: Tensor) {
        tensor = Tensor(storage: output.storage, shape: output.shape, strides: output.strides, offset: output.offset, base: output.base)
        savedVersion = output.version.value
        isOutput = true
        outputNr = output.outputNr
        producer = nil
        savedType = output.dtype
        applyHooks()
    }

    /// Replaces the kept tensor by the innermost hooks' packed value, if hooks are active.
    private mutating func applyHooks() {
        guard let hooks = SavedTensorHookStack.innermost, let tensor else { return }
        packed = Packed(value: hooks.pack(tensor), unpack: hooks.unpack, shape: tensor.shape)
        self.tensor = nil
    }

    /// The saved tensor for `node`'s backward; throws if it changed in place since.
    func unpack(for node: Node) throws -> Tensor {
        if let packed {
            let unpacked = packed.unpack(packed.value)
            guard isOutput else { return unpacked }
            let restored = unpacked.detach()
            restored.gradNode = node
            restored.outputNr = outputNr
            return restored
        }
        guard let tensor else { return Tensor.zeros([]) }
        let current = tensor.version.value
        if current != savedVersion {
            let origin = isOutput ? ", which is output \(outputNr) of \(node.name)," : producer.map { ", which is output \(outputNr) of \($0.name)," } ?? ""
            throw AutogradError(.modifiedByInplace, "one of the variables needed for gradient computation has been modified by an inplace operation: [\(savedType.legacyTypeName) \(Shape.describe(savedShape))]\(origin) is at version \(current); expected version \(savedVersion) instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).", location: node.location)
        }
        guard isOutput else { return tensor }
        let restored = Tensor(storage: tensor.storage, shape: tensor.shape, strides: tensor.strides, offset: tensor.offset, base: tensor.base)
        restored.gradNode = node
        restored.outputNr = outputNr
        return restored
    }

    /// When this is the last owner of the saved tensor, detaches and returns its node so
    /// the caller can free the graph iteratively.
    mutating func takeNodeIfLastOwner() -> Node? {
        guard isKnownUniquelyReferenced(&tensor), let node = tensor?.gradNode else { return nil }
        tensor?.gradNode = nil
        return node
    }

    /// Detaches and returns the producing node, so the caller can free it iteratively.
    mutating func takeProducer() -> Node? {
        defer { producer = nil }
        return producer
    }
}
