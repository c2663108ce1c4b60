extension Tensor {
    /// Whether an op on `inputs` must record a node: grad mode is on and one requires grad.
    /// (In a dual level, also when an input carries a forward-mode tangent.)
    @inline(__always)
    static func recording(_ a: Tensor) -> Bool { (isGradEnabled && a.requiresGrad) || (a.tangent != nil && carriesTangent([a])) }

    /// Whether an op on two inputs must record a node.
    @inline(__always)
    static func recording(_ a: Tensor, _ b: Tensor) -> Bool {
        (isGradEnabled && (a.requiresGrad || b.requiresGrad)) || ((a.tangent != nil || b.tangent != nil) && carriesTangent([a, b]))
    }

    /// Whether an op on several inputs must record a node.
    static func recording(_ inputs: [Tensor]) -> Bool { (isGradEnabled && inputs.contains { $0.requiresGrad }) || carriesTangent(inputs) }

    /// Makes `self` (an op's fresh output) the output of a new backward node named
    /// `name` whose edges lead to `inputs` (nil for constant operands), saving `saving`
    /// and, with `savingOutput`, the output itself (appended last, without a cycle).
    @discardableResult
    func recorded(
        _ name: StaticString, inputs: [Tensor?], saving: [Tensor] = [], savingOutput: Bool = false,
        location: SourceLocation? = nil, backward: @escaping FunctionNode.Backward
    ) -> Tensor {
        let reverse = isGradEnabled && inputs.contains { $0?.requiresGrad == true }
        outputNr = 0
        let node = FunctionNode(name: name, edgeCount: inputs.count, edge: { reverse ? inputs[$0]?.gradientEdge ?? .none : .none }, location: location, backward: backward)
        node.keepSaved(count: saving.count + (savingOutput ? 1 : 0)) { $0 < saving.count ? SavedTensor(input: saving[$0]) : SavedTensor(output: self) }
        if Tensor.carriesTangent(inputs) { attachTangent(from: node, inputs: inputs) }
        if reverse { gradNode = node }
        return self
    }
}
