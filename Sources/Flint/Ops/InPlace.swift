// In-place operations: `+= -= *= /=`, the `_` methods and subscript assignment. They
// write into the tensor's storage (all views see it), bump its version counter, and
// when recording make the op's node the tensor's new `gradFn` — reusing the
// out-of-place op's backward formula. Writes through a view of a tensor in the graph
// rebase the base onto a CopySlices node, as in PyTorch.

extension Tensor {
    /// Adds `rhs` into `lhs` in place.
    public static func += (lhs: Tensor, rhs: Tensor) { lhs.add_(rhs) }
    /// Adds a number into `lhs` in place.
    public static func += (lhs: Tensor, rhs: some TensorLiteralScalar) { lhs.add_(scalarOperand(rhs, for: lhs)) }
    /// Subtracts `rhs` from `lhs` in place.
    public static func -= (lhs: Tensor, rhs: Tensor) { lhs.sub_(rhs) }
    /// Subtracts a number from `lhs` in place.
    public static func -= (lhs: Tensor, rhs: some TensorLiteralScalar) { lhs.sub_(scalarOperand(rhs, for: lhs)) }
    /// Multiplies `lhs` by `rhs` in place.
    public static func *= (lhs: Tensor, rhs: Tensor) { lhs.mul_(rhs) }
    /// Multiplies `lhs` by a number in place.
    public static func *= (lhs: Tensor, rhs: some TensorLiteralScalar) { lhs.mul_(scalarOperand(rhs, for: lhs)) }
    /// Divides `lhs` by `rhs` in place.
    public static func /= (lhs: Tensor, rhs: Tensor) { lhs.div_(rhs) }
    /// Divides `lhs` by a number in place.
    public static func /= (lhs: Tensor, rhs: some TensorLiteralScalar) { lhs.div_(scalarOperand(rhs, for: lhs)) }

    /// Adds `other` into this tensor (`add_`); returns the tensor itself.
    @discardableResult
    public func add_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let location = SourceLocation(file: file, line: line)
        if writesDirectly(.add, other) { return self }
        return inPlace("add_", other, location: location) { Tensor.add($0, other, constant: false, location: location) }
    }

    /// Adds `alpha · other` into this tensor (`add_(other, alpha=)`), in a single pass
    /// when nothing is recorded; otherwise as `add_(other * alpha)`.
    @discardableResult
    public func add_(_ other: Tensor, alpha: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if alpha == 1 { return add_(other, file: file, line: line) }
        if dtype.isFloatingPoint && writesDirectly(other, { BinaryKernel.scaledAdd(self, $0, alpha: alpha) }) { return self }
        let location = SourceLocation(file: file, line: line)
        let scaled = Tensor.mul(other, Tensor.scalarOperand(alpha, for: other), constant: true, location: location)
        return inPlace("add_", scaled, location: location) { Tensor.add($0, scaled, constant: false, location: location) }
    }

    /// Subtracts `other` from this tensor (`sub_`).
    @discardableResult
    public func sub_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let location = SourceLocation(file: file, line: line)
        if writesDirectly(.sub, other) { return self }
        return inPlace("sub_", other, location: location) { Tensor.sub($0, other, constant: false, location: location) }
    }

    /// Multiplies this tensor by `other` (`mul_`).
    @discardableResult
    public func mul_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let location = SourceLocation(file: file, line: line)
        if writesDirectly(.mul, other) { return self }
        return inPlace("mul_", other, readsOldSelf: true, location: location) { Tensor.mul($0, other, constant: false, location: location) }
    }

    /// Divides this tensor by `other` (`div_`).
    @discardableResult
    public func div_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let location = SourceLocation(file: file, line: line)
        if writesDirectly(.div, other) { return self }
        return inPlace("div_", other, readsOldSelf: true, location: location) { Tensor.div($0, other, constant: false, location: location) }
    }

    /// Sets every element to zero (`zero_`, ZeroBackward0).
    @discardableResult
    public func zero_(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        overwrite("zero_", "ZeroBackward0", with: 0, file: file, line: line)
    }

    /// Sets every element to `value` (`fill_`, FillBackward0).
    @discardableResult
    public func fill_(_ value: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        overwrite("fill_", "FillBackward0", with: value, file: file, line: line)
    }

    private func overwrite(_ op: String, _ name: StaticString, with value: Double, file: StaticString, line: UInt) -> Tensor {
        let location = SourceLocation(file: file, line: line)
        return inPlace(op, nil, location: location) { old in
            let out = Tensor.full(old.shape, value, dtype: old.dtype)
            guard Tensor.recording(old) else { return out }
            return out.recorded(name, inputs: [old], location: location) { c in [Tensor.zeros(like: c.grad)] }
        }
    }

    /// Copies `source` (broadcast and converted) into this tensor (`copy_`,
    /// CopyBackwards: the gradient flows to `source`, none to the old values).
    @discardableResult
    public func copy_(_ source: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let location = SourceLocation(file: file, line: line)
        guard Shape.broadcast(shape, source.shape) == shape else {
            fail("copy_: the source shape \(Shape.describe(source.shape)) cannot be broadcast to \(Shape.describe(shape))", file: file, line: line)
        }
        return inPlace("copy_", source, location: location) { old in
            let out = Tensor(uninitializedShape: old.shape, dtype: old.dtype)
            out.assign(from: source)
            guard Tensor.recording(old, source) else { return out }
            let (ss, st) = (source.shape, source.dtype)
            return out.recorded("CopyBackwards", inputs: [old, source], location: location) { c in
                [c.needs(0) ? Tensor.zeros(like: c.grad) : nil, c.needs(1) ? c.grad.sumTo(ss).to(st) : nil]
            }
        }
    }

    /// The fast path of unrecorded in-place arithmetic: when nothing is recorded, the
    /// result keeps this dtype and shape, and `other` does not overlap this tensor
    /// differently, the kernel writes straight into this tensor's storage. Returns false
    /// (having done nothing) when the general path must run.
    private func writesDirectly(_ kernel: BinaryKernel, _ other: Tensor) -> Bool {
        guard dtype.isFloatingPoint || kernel != .div else { return false }
        return writesDirectly(other) { kernel.run(self, $0, into: self) }
    }

    /// The checks of the fast path; `write` gets `other` converted to this dtype.
    private func writesDirectly(_ other: Tensor, _ write: (Tensor) -> Void) -> Bool {
        let recording = isGradEnabled && (requiresGrad || other.requiresGrad) || tangent != nil || other.tangent != nil
        let sameLayout = other.storage !== storage || (other.offset == offset && other.strides == strides && other.shape == shape)
        guard !recording, sameLayout, Tensor.resultType(self, other) == dtype, Shape.broadcast(shape, other.shape) == shape else { return false }
        write(other.to(dtype))
        bumpVersion()
        return true
    }

    /// Runs `compute` on a stand-in for this tensor's current value (carrying its graph
    /// edge) and writes the result back into this tensor's storage. `readsOldSelf` says
    /// the backward formula reads the old value when `other` needs a gradient, which
    /// then is copied before it is overwritten.
    private func inPlace(
        _ op: String, _ other: Tensor?, readsOldSelf: Bool = false, location: SourceLocation,
        _ compute: (Tensor) -> Tensor
    ) -> Tensor {
        let recording = isGradEnabled && (requiresGrad || other?.requiresGrad == true) || Tensor.carriesTangent([self, other])
        if isGradEnabled && requiresGrad && isLeaf {
            failAt(location, "\(op): a leaf Variable that requires grad is being used in an in-place operation.")
        }
        if isGradEnabled, let base, base.isLeaf, base.requiresGrad {
            failAt(location, "\(op): a view of a leaf Variable that requires grad is being used in an in-place operation.")
        }
        let result: Tensor
        if recording {
            let old = readsOldSelf && other?.requiresGrad == true ? copyData(to: dtype) : Tensor(storage: Storage.aliasing(storage), shape: shape, strides: strides, offset: offset)
            old.gradNode = gradNode
            old.outputNr = outputNr
            old.tangent = tangent
            result = compute(old)
        } else {
            result = noGrad { compute(self) }
        }
        guard result.dtype.category <= dtype.category else {
            failAt(location, "\(op): result type \(result.dtype) can't be cast to the desired output type \(dtype)")
        }
        guard result.shape == shape else {
            failAt(location, "\(op): output with shape \(Shape.describe(shape)) doesn't match the broadcast shape \(Shape.describe(result.shape))")
        }
        assign(from: result)
        bumpVersion()
        if let resultTangent = result.tangent { updateTangent(resultTangent) }
        if recording, let node = result.gradNode { rebase(onto: node, location: location) }
        return self
    }

    /// Sets this tensor's forward-mode tangent after an in-place op; for a view, writes it
    /// into the matching region of the base's tangent too (zeros elsewhere when the base
    /// had none), so tangents flow through writes into views.
    private func updateTangent(_ newTangent: Tensor) {
        tangent = newTangent
        guard let base else { return }
        let baseTangent = base.tangent.map { existing in noGrad { existing.clone() } } ?? Tensor.zeros(base.shape, dtype: base.dtype)
        guard base.isContiguous else {
            fail("forward AD: in-place operation through a view of a non-contiguous tensor is not supported; call contiguous() on the base first", file: #fileID, line: #line)
        }
        let region = baseTangent.viewing(shape: shape, strides: strides, offset: baseTangent.offset + (offset - base.offset))
        region.assign(from: newTangent)
        base.tangent = baseTangent
    }

    /// Makes `node` this tensor's `gradFn` after an in-place op; for a view, makes the
    /// base's history a CopySlices over its old one and regenerates the view's node.
    private func rebase(onto node: Node, location: SourceLocation) {
        guard let base else {
            gradNode = node
            outputNr = 0
            return
        }
        guard base.isContiguous else {
            failAt(location, "in-place operation through a view of a non-contiguous tensor that is part of the graph is not supported; call contiguous() on the base first")
        }
        let geometry = ViewGeometry(shape: shape, strides: strides, offset: offset - base.offset)
        let copySlices = CopySlices(baseEdge: base.gradientEdge, baseShape: base.shape, geometry: geometry, fn: node, location: location)
        base.gradNode = copySlices
        base.outputNr = 0
        let regenerated = base.asStrided(geometry)
        gradNode = regenerated.gradNode
        outputNr = 0
    }
}

/// Where a view sits inside a contiguous base: shape, strides and element offset.
struct ViewGeometry {
    let shape: [Int]
    let strides: [Int]
    let offset: Int
}

extension Tensor {
    /// The view of this contiguous tensor at `geometry` (AsStridedBackward0).
    func asStrided(_ geometry: ViewGeometry) -> Tensor {
        let source = contiguous()
        let out = source.viewing(shape: geometry.shape, strides: geometry.strides, offset: source.offset + geometry.offset)
        guard Tensor.recording(source) else { return out }
        let inputShape = shape
        return out.recorded("AsStridedBackward0", inputs: [source]) { c in
            [Tensor.placing(c.grad, into: inputShape, name: "AsStridedScatterBackward0") { $0.asStrided(geometry) }]
        }
    }
}

/// The node a base gets when one of its views is modified in place: the gradient of
/// the viewed region goes through the in-place op's node `fn`, the rest passes through.
final class CopySlices: Node {
    private let fn: Node
    private let baseShape: [Int]
    private let geometry: ViewGeometry

    init(baseEdge: Edge, baseShape: [Int], geometry: ViewGeometry, fn: Node, location: SourceLocation) {
        self.fn = fn
        self.baseShape = baseShape
        self.geometry = geometry
        super.init(name: "CopySlices", edgeCount: fn.edgeCount, edge: { $0 == 0 ? baseEdge : fn.edge($0) }, location: location)
    }

    override func apply(_ grad: inout Tensor?, releasingSaved: Bool) throws -> InputGradients {
        guard let grad = grad.take() else { return InputGradients(noneFor: edgeCount) }
        let geometry = self.geometry, baseShape = self.baseShape
        let place = { (t: Tensor) in Tensor.placing(t, into: baseShape, name: "AsStridedScatterBackward0") { $0.asStrided(geometry) } }
        let region = grad.asStrided(geometry)
        var regionGrad: Tensor? = region
        var results = try fn.apply(&regionGrad, releasingSaved: releasingSaved)
        var baseGrad = grad - place(region)
        if let viewGrad = results[0] { baseGrad = baseGrad + place(viewGrad) }
        results[0] = baseGrad
        return results
    }

    override func releaseSaved() {
        super.releaseSaved()
        fn.releaseSaved()
    }
}
