// Custom differentiable functions, as torch.autograd.Function.

/// A differentiable operation written by the user (`torch.autograd.Function`): `forward`
/// computes the result from plain tensors (nothing is recorded inside it) and `backward`
/// the input gradients from the output's. Written with Tensor ops, `backward` is itself
/// differentiable (double backward works); set `isOnceDifferentiable` when it is not.
///
/// ```swift
/// enum MyExp: Function {
///     static func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) -> Tensor {
///         let y = inputs[0].exp()
///         ctx.saveForBackward(y)
///         return y
///     }
///     static func backward(_ ctx: FunctionContext, _ grad: Tensor) throws -> [Tensor?] {
///         [grad * ctx.savedTensors()[0]]
///     }
/// }
/// let y = try MyExp.apply(x)      // y.gradFn?.name == "MyExpBackward"
/// ```
public protocol Function {
    /// The result of the function on `inputs` (recording is off here).
    static func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor
    /// The gradient of each input (nil where none) given the output's gradient.
    static func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) throws -> [Tensor?]
    /// Whether `backward` cannot be differentiated (`@once_differentiable`); false by default.
    static var isOnceDifferentiable: Bool { get }
}

extension Function {
    /// Backward is differentiable unless a type says otherwise.
    public static var isOnceDifferentiable: Bool { false }

    /// Runs `forward` and, when recording and an input requires grad, records a node named
    /// `<TypeName>Backward` whose backward calls `backward`.
    public static func apply(_ inputs: Tensor..., file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        try apply(inputs, file: file, line: line)
    }

    /// `apply` with the inputs as an array.
    public static func apply(_ inputs: [Tensor], file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let forwardMode = Tensor.carriesTangent(inputs)
        let ctx = FunctionContext(needsInputGrad: inputs.map { (isGradEnabled && $0.requiresGrad) || (forwardMode && $0.tangent != nil) })
        let output = try noGrad { try forward(ctx, inputs) }
        let dirty = ctx.dirty.contains { $0 === output }
        if dirty, let input = inputs.first(where: { $0 === output }), input.isLeaf, input.requiresGrad, isGradEnabled {
            throw AutogradError(.invalidArgument, "a leaf Variable that requires grad has been used in an in-place operation.")
        }
        guard ctx.needsInputGrad.contains(true), !ctx.nonDifferentiable.contains(where: { $0 === output }) else { return output }
        let reverse = isGradEnabled && inputs.contains { $0.requiresGrad }
        let result = dirty || !inputs.contains(where: { $0 === output }) ? output : output.detach()
        let edges = inputs.map { input -> Edge in
            input === result ? (input.gradNode.map { Edge(node: $0, inputNr: input.outputNr) } ?? .none) : input.gradientEdge
        }
        let node = CustomFunctionNode(name: "\(Self.self)Backward", edges: edges, location: SourceLocation(file: file, line: line), context: ctx, function: Self.self)
        node.keepSaved(count: ctx.toSave.count) { ctx.toSave[$0] === result ? SavedTensor(output: result) : SavedTensor(input: ctx.toSave[$0]) }
        ctx.toSave = []
        if forwardMode {
            result.attachTangent(inputs: inputs) { g, _ in
                var grad: Tensor? = g
                return try node.apply(&grad, releasingSaved: false).array
            }
        }
        guard reverse else { return result }
        result.gradNode = node
        result.outputNr = 0
        return result
    }
}

/// What a custom function's `forward` leaves for its `backward` (`ctx` in PyTorch).
public final class FunctionContext {
    /// For each input, whether a gradient is needed (`ctx.needs_input_grad`).
    public let needsInputGrad: [Bool]
    /// Non-tensor values `forward` wants `backward` to see.
    public var values: [String: Double] = [:]
    var toSave: [Tensor] = []
    var unpacked: [Tensor] = []
    var dirty: [Tensor] = []
    var nonDifferentiable: [Tensor] = []

    init(needsInputGrad: [Bool]) { self.needsInputGrad = needsInputGrad }

    /// Keeps tensors for `backward` (`ctx.save_for_backward`); they are checked for
    /// in-place changes, as built-in ops' saved tensors are.
    public func saveForBackward(_ tensors: Tensor...) { toSave.append(contentsOf: tensors) }

    /// The tensors saved by `forward`, in order (`ctx.saved_tensors`).
    public func savedTensors() -> [Tensor] { unpacked }

    /// Declares that `forward` modified these inputs in place and returned them (`ctx.mark_dirty`).
    public func markDirty(_ tensors: Tensor...) { dirty.append(contentsOf: tensors) }

    /// Declares outputs that have no gradient (`ctx.mark_non_differentiable`).
    public func markNonDifferentiable(_ tensors: Tensor...) { nonDifferentiable.append(contentsOf: tensors) }
}

/// The node of a custom function: unpacks the saved tensors (with version checks) and
/// calls the function's `backward`.
final class CustomFunctionNode: Node {
    private let nodeName: String
    private let context: FunctionContext
    private let function: Function.Type

    init(name: String, edges: [Edge], location: SourceLocation, context: FunctionContext, function: Function.Type) {
        nodeName = name
        self.context = context
        self.function = function
        super.init(name: "CustomFunctionBackward", edgeCount: edges.count, edge: { edges[$0] }, location: location)
    }

    override var name: String { nodeName }

    override func apply(_ grad: inout Tensor?, releasingSaved: Bool) throws -> InputGradients {
        guard let grad = grad.take() else { return InputGradients(noneFor: edgeCount) }
        context.unpacked = Array(try unpackSaved())
        defer { context.unpacked = [] }
        guard function.isOnceDifferentiable, isGradEnabled, grad.requiresGrad else { return InputGradients(try function.backward(context, grad)) }
        let grads = try noGrad { try function.backward(context, grad) }
        return InputGradients(grads.map { g in
            g.map { value in
                value.recorded("OnceDifferentiableBackward", inputs: [grad]) { _ in
                    throw AutogradError(.invalidArgument, "trying to differentiate twice a function that was marked with @once_differentiable")
                }
            }
        })
    }
}
