import CFlintSupport

/// Where a gradient flows: input slot `inputNr` of `node` (nil for inputs that need none).
struct Edge {
    var node: Node?
    var inputNr: Int

    /// The edge of an input that needs no gradient.
    static var none: Edge { Edge(node: nil, inputNr: 0) }
}

/// A backward function in the graph (PyTorch's `Node`, printed as `<MulBackward0 ...>`).
/// Each differentiable operation that ran while recording created one; its
/// `nextFunctions` lead to the nodes of its inputs, ending in `AccumulateGrad` for leaves.
/// Every Flint op has one output, so a node receives one gradient (input slot 0).
public class Node: CustomStringConvertible {
    /// PyTorch's class name for this backward function, e.g. `"MulBackward0"`.
    public var name: String { "\(staticName)" }
    let staticName: StaticString
    /// Creation order on this thread; later nodes run first when several are ready.
    let sequenceNr: Int64
    /// How many inputs the op had: one edge each (0 once the graph is released).
    @exclusivity(unchecked) private(set) var edgeCount: Int
    // The first three edges are stored in the node itself and only the rest in an array:
    // nearly every op has at most three inputs, so building a node allocates no list.
    @exclusivity(unchecked) private var edge0: Edge
    @exclusivity(unchecked) private var edge1: Edge
    @exclusivity(unchecked) private var edge2: Edge
    @exclusivity(unchecked) private var laterEdges: [Edge]
    /// How many tensors the node keeps for its backward formula (0 once freed).
    @exclusivity(unchecked) private(set) var savedCount = 0
    // The first two saved tensors live in the node and only the rest in an array, so the
    // ops that save one or two tensors allocate no list for them.
    @exclusivity(unchecked) private var saved0: SavedTensor?
    @exclusivity(unchecked) private var saved1: SavedTensor?
    @exclusivity(unchecked) private var laterSaved: [SavedTensor] = []
    /// Whether the saved tensors were freed by a backward pass without `retainGraph`.
    var savedReleased = false
    /// The user's call that created this node, when known.
    let location: SourceLocation?
    /// Hooks and retained outputs, created on first use: most nodes have none, and four
    /// empty arrays per node cost a retain and a release each.
    private var extras: Extras?

    private final class Extras {
        var retainedOutputs: [WeakTensor] = []
        var tensorPreHooks: [Registered<(Tensor) -> Tensor?>] = []
        var preHooks: [Registered<([Tensor?]) -> [Tensor?]?>] = []
        var postHooks: [Registered<([Tensor?], [Tensor?]) -> [Tensor?]?>] = []
    }

    private var createdExtras: Extras {
        if let extras { return extras }
        let created = Extras()
        extras = created
        return created
    }

    /// Non-leaf outputs that asked to keep their gradient (`retainGrad()`).
    var retainedOutputs: [WeakTensor] {
        get { extras?.retainedOutputs ?? [] }
        set { createdExtras.retainedOutputs = newValue }
    }
    /// Hooks registered on this node's output tensor.
    var tensorPreHooks: [Registered<(Tensor) -> Tensor?>] {
        get { extras?.tensorPreHooks ?? [] }
        set { createdExtras.tensorPreHooks = newValue }
    }
    /// Hooks run before this node.
    var preHooks: [Registered<([Tensor?]) -> [Tensor?]?>] {
        get { extras?.preHooks ?? [] }
        set { createdExtras.preHooks = newValue }
    }
    /// Hooks run after this node.
    var postHooks: [Registered<([Tensor?], [Tensor?]) -> [Tensor?]?>] {
        get { extras?.postHooks ?? [] }
        set { createdExtras.postHooks = newValue }
    }

    // Scratch state of the engine's current graph task, touched only by the thread
    // running that task (no dynamic exclusivity checks needed).
    @exclusivity(unchecked) var taskID = 0
    @exclusivity(unchecked) var dependencies = 0
    @exclusivity(unchecked) var isNeeded = false
    @exclusivity(unchecked) var runsInTask = false
    @exclusivity(unchecked) var runsChildren = false
    @exclusivity(unchecked) var pendingGrad: Tensor?

    /// A node with `edgeCount` edges, edge `i` being `edge(i)`.
    init(
        name: StaticString, edgeCount: Int, edge: (Int) -> Edge, location: SourceLocation?, sequenceNr: Int64? = nil
    ) {
        self.staticName = name
        self.edgeCount = edgeCount
        edge0 = edgeCount > 0 ? edge(0) : .none
        edge1 = edgeCount > 1 ? edge(1) : .none
        edge2 = edgeCount > 2 ? edge(2) : .none
        laterEdges = edgeCount > 3 ? (3..<edgeCount).map(edge) : []
        self.location = location
        self.sequenceNr = sequenceNr ?? flint_next_sequence_nr()
    }

    deinit {
        if edgeCount > 0 || savedCount > 0 { Node.releaseChildren(of: self) }
    }

    /// Whether input `i` needs a gradient: it has a node and, while this node runs in a
    /// graph task, the task needs that node (`Autograd.grad` skips the paths that reach
    /// no requested input, as PyTorch's `task_should_compute_output`). Outside a task
    /// every input with a node needs one.
    func needsGradient(at i: Int) -> Bool {
        guard let child = edge(i).node else { return false }
        return taskID == 0 || child.taskID != taskID || child.isNeeded
    }

    /// Keeps `count` tensors for the backward formula, tensor `i` being `save(i)` (made in
    /// order, so saved-tensor hooks see them in order).
    func keepSaved(count: Int, _ save: (Int) -> SavedTensor) {
        saved0 = count > 0 ? save(0) : nil
        saved1 = count > 1 ? save(1) : nil
        laterSaved = count > 2 ? (2..<count).map(save) : []
        savedCount = count
    }

    /// The tensors kept for the backward formula, in order.
    var saved: [SavedTensor] { (0..<savedCount).map { savedTensor($0) } }

    private func savedTensor(_ i: Int) -> SavedTensor {
        switch i {
        case 0: saved0!
        case 1: saved1!
        default: laterSaved[i - 2]
        }
    }

    private func clearSaved() {
        (saved0, saved1, laterSaved, savedCount) = (nil, nil, [], 0)
    }

    /// Where the gradient of input `i` goes.
    @inline(__always)
    func edge(_ i: Int) -> Edge {
        switch i {
        case 0: edge0
        case 1: edge1
        case 2: edge2
        default: laterEdges[i - 3]
        }
    }

    /// Where the edges of this node's inputs lead.
    var edges: [Edge] { (0..<edgeCount).map(edge) }

    /// Drops the edges (the graph behind this node is being released).
    private func clearEdges() {
        edgeCount = 0
        (edge0, edge1, edge2) = (.none, .none, .none)
        laterEdges = []
    }

    /// For each input, the next node and which of its inputs this edge feeds
    /// (`grad_fn.next_functions`); nil where the input needs no gradient.
    public var nextFunctions: [(node: Node?, inputNr: Int)] { edges.map { ($0.node, $0.inputNr) } }

    /// `<MulBackward0 object at 0x...>`, as Python prints a node.
    public var description: String {
        "<\(name) object at 0x\(String(UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque()), radix: 16))>"
    }

    /// Computes the gradients of the inputs from the gradient of the output, which the
    /// node may move out of `grad` (the engine hands it over). With `releasingSaved` (a
    /// backward pass that does not keep the graph), the node may free its saved tensors
    /// as it unpacks them, so that a formula holds the only reference to one and can
    /// write its result over it (`BackwardContext.takeSaved`).
    func apply(_ grad: inout Tensor?, releasingSaved: Bool) throws -> InputGradients {
        fatalError("\(name) does not implement apply")
    }

    /// Frees the saved tensors after a backward pass without `retainGraph`.
    func releaseSaved() {
        if savedCount > 0 {
            clearSaved()
            savedReleased = true
        }
    }

    /// Unpacks the saved tensors, checking that they were not freed or modified.
    func unpackSaved() throws -> SavedValues {
        if savedReleased {
            throw AutogradError(.graphFreed, "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.", location: location)
        }
        return try SavedValues(count: savedCount) { try savedTensor($0).unpack(for: self) }
    }

    /// Releases the graph behind `node` without recursion: nodes whose last owner is
    /// this walk have their edges and saved tensors taken first, so freeing a chain of a
    /// million nodes neither recurses nor overflows the stack.
    static func releaseIteratively(_ node: Node) {
        var pending: [Node] = []
        pending.reserveCapacity(node.childLimit + 1)
        pending.append(node)
        drain(&pending)
    }

    private static func releaseChildren(of node: Node) {
        var pending: [Node] = []
        pending.reserveCapacity(node.childLimit)
        node.moveChildren(into: &pending)
        drain(&pending)
    }

    /// The most nodes `moveChildren` can hand over: one per edge, and a saved tensor's
    /// node and producer (room reserved up front instead of growing the list).
    private var childLimit: Int { edgeCount + 2 * savedCount }

    private static func drain(_ pending: inout [Node]) {
        while var next = pending.popLast() {
            if isKnownUniquelyReferenced(&next) { next.moveChildren(into: &pending) }
        }
    }

    private func moveChildren(into pending: inout [Node]) {
        for i in 0..<edgeCount { if let child = edge(i).node { pending.append(child) } }
        clearEdges()
        func take(_ saved: inout SavedTensor) {
            if let child = saved.takeNodeIfLastOwner() { pending.append(child) }
            if let producer = saved.takeProducer() { pending.append(producer) }
        }
        if savedCount > 0 { take(&saved0!) }
        if savedCount > 1 { take(&saved1!) }
        for i in laterSaved.indices { take(&laterSaved[i]) }
        clearSaved()
    }
}

/// A node whose backward formula is a closure over Tensor operations, so it is itself
/// differentiable when run with `createGraph`.
final class FunctionNode: Node {
    /// Computes the input gradients (may throw, e.g. when it runs autograd itself).
    typealias Backward = (inout BackwardContext) throws -> InputGradients
    let backward: Backward

    init(name: StaticString, edgeCount: Int, edge: (Int) -> Edge, location: SourceLocation?, backward: @escaping Backward) {
        self.backward = backward
        super.init(name: name, edgeCount: edgeCount, edge: edge, location: location)
    }

    override func apply(_ grad: inout Tensor?, releasingSaved: Bool) throws -> InputGradients {
        guard grad != nil else { return InputGradients(noneFor: edgeCount) }
        // The gradient moves into the context (no other reference stays here), and so do
        // the saved tensors when the graph is being freed, so a formula that takes one of
        // them may write its result over it.
        var context = BackwardContext(grad: grad.take().unsafelyUnwrapped, saved: try unpackSaved(), count: edgeCount) { needsGradient(at: $0) }
        if releasingSaved { releaseSaved() }
        return try backward(&context)
    }
}

/// What a backward formula sees: the output's gradient, the saved tensors (in the order
/// they were saved, the op's own output last when it saved it) and which inputs need one.
struct BackwardContext {
    /// The gradient of the loss with respect to the op's output (not to be read after
    /// `takeGrad()`).
    var grad: Tensor { heldGrad.unsafelyUnwrapped }
    private var heldGrad: Tensor?
    /// The saved tensors (tensor `i` not to be read after `takeSaved(i)`).
    private(set) var saved: SavedValues
    /// Bit `i` is set when input `i` needs a gradient (inputs from the 65th on are listed
    /// in `laterNeeds`).
    private let needMask: UInt64
    private let laterNeeds: [Bool]

    /// A context for `count` inputs, of which input `i` needs a gradient when `needs(i)`.
    @inline(__always)
    init(grad: Tensor, saved: SavedValues, count: Int, needs: (Int) -> Bool) {
        heldGrad = grad
        self.saved = saved
        var mask: UInt64 = 0
        for i in 0..<Swift.min(count, 64) where needs(i) { mask |= 1 << UInt64(i) }
        needMask = mask
        laterNeeds = count > 64 ? (64..<count).map(needs) : []
    }

    /// Hands the output gradient over to a formula that reads it once: when the engine
    /// made it and nothing else holds it, the formula may write its result over it
    /// (`Tensor.isReusableGradient`).
    mutating func takeGrad() -> Tensor { heldGrad.take().unsafelyUnwrapped }

    /// Hands saved tensor `i` (0 or 1) over to a formula that reads it once: when the
    /// node has freed its saved tensors and nothing else holds this one, the formula may
    /// write its result over it (`Tensor.isReusableSaved`).
    mutating func takeSaved(_ i: Int) -> Tensor { saved.take(i) }

    /// Whether input `i` needs a gradient.
    @inline(__always)
    func needs(_ i: Int) -> Bool { i < 64 ? needMask & (1 << UInt64(i)) != 0 : laterNeeds[i - 64] }
}

/// A weak reference to a tensor, for hooks that must not keep it alive.
struct WeakTensor {
    weak var tensor: Tensor?
}
