// Binary arithmetic: + - * / and pow, with NumPy/PyTorch broadcasting and type
// promotion. Each op's forward and backward formula sit together.

extension Tensor {
    /// `lhs + rhs`, broadcasting (AddBackward0).
    public static func + (lhs: consuming Tensor, rhs: Tensor) -> Tensor { add(lhs, rhs, constant: false, location: nil) }
    /// Adds a number to every element.
    public static func + (lhs: consuming Tensor, rhs: some TensorLiteralScalar) -> Tensor {
        let number = scalarOperand(rhs, for: lhs)
        return add(lhs, number, constant: true, location: nil)
    }
    /// Adds a number to every element.
    public static func + (lhs: some TensorLiteralScalar, rhs: consuming Tensor) -> Tensor {
        let number = scalarOperand(lhs, for: rhs)
        return add(rhs, number, constant: true, location: nil)
    }

    /// `lhs - rhs`, broadcasting (SubBackward0).
    public static func - (lhs: consuming Tensor, rhs: Tensor) -> Tensor { sub(lhs, rhs, constant: false, location: nil) }
    /// Subtracts a number from every element.
    public static func - (lhs: consuming Tensor, rhs: some TensorLiteralScalar) -> Tensor {
        let number = scalarOperand(rhs, for: lhs)
        return sub(lhs, number, constant: true, location: nil)
    }
    /// Subtracts every element from a number (RsubBackward1).
    public static func - (lhs: some TensorLiteralScalar, rhs: Tensor) -> Tensor { rsub(rhs, scalarOperand(lhs, for: rhs), location: nil) }

    /// `lhs * rhs`, broadcasting (MulBackward0).
    public static func * (lhs: consuming Tensor, rhs: Tensor) -> Tensor { mul(lhs, rhs, constant: false, location: nil) }
    /// Multiplies every element by a number.
    public static func * (lhs: consuming Tensor, rhs: some TensorLiteralScalar) -> Tensor {
        let number = scalarOperand(rhs, for: lhs)
        return mul(lhs, number, constant: true, location: nil)
    }
    /// Multiplies every element by a number.
    public static func * (lhs: some TensorLiteralScalar, rhs: consuming Tensor) -> Tensor {
        let number = scalarOperand(lhs, for: rhs)
        return mul(rhs, number, constant: true, location: nil)
    }

    /// `lhs / rhs`, true division, broadcasting (DivBackward0).
    public static func / (lhs: consuming Tensor, rhs: Tensor) -> Tensor { div(lhs, rhs, constant: false, location: nil) }
    /// Divides every element by a number.
    public static func / (lhs: consuming Tensor, rhs: some TensorLiteralScalar) -> Tensor {
        let number = scalarOperand(rhs, for: lhs)
        return div(lhs, number, constant: true, location: nil)
    }
    /// Divides a number by every element (`reciprocal() * lhs`, as PyTorch).
    public static func / (lhs: some TensorLiteralScalar, rhs: Tensor) -> Tensor { rhs.reciprocal() * lhs }

    /// `-x` (NegBackward0).
    public static prefix func - (x: Tensor) -> Tensor { x.neg() }

    /// `self + other` (`torch.add`).
    public func add(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.add(self, other, constant: false, location: SourceLocation(file: file, line: line))
    }
    /// `self - other` (`torch.sub`).
    public func sub(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.sub(self, other, constant: false, location: SourceLocation(file: file, line: line))
    }
    /// `self * other` (`torch.mul`).
    public func mul(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.mul(self, other, constant: false, location: SourceLocation(file: file, line: line))
    }
    /// `self / other` (`torch.div`).
    public func div(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.div(self, other, constant: false, location: SourceLocation(file: file, line: line))
    }

    static func add(_ a: consuming Tensor, _ b: Tensor, constant: Bool, location: SourceLocation?) -> Tensor {
        binary(.add, "AddBackward0", a, b, constant: constant, location: location,
               da: { g, _, _ in g }, db: { g, _, _ in g })
    }

    static func sub(_ a: consuming Tensor, _ b: Tensor, constant: Bool, location: SourceLocation?) -> Tensor {
        binary(.sub, "SubBackward0", a, b, constant: constant, location: location,
               da: { g, _, _ in g }, db: { g, _, _ in -g })
    }

    /// `b - a` for a constant `b`.
    static func rsub(_ a: Tensor, _ b: Tensor, location: SourceLocation?) -> Tensor {
        let out = arithmetic(.sub, b, a, op: "rsub", location: location)
        guard recording(a) else { return out }
        let (sa, ta) = (a.shape, a.dtype)
        return out.recorded("RsubBackward1", inputs: [a], location: location) { c in
            [(-c.grad).sumTo(sa).to(ta)]
        }
    }

    static func mul(_ a: consuming Tensor, _ b: Tensor, constant: Bool, location: SourceLocation?) -> Tensor {
        binary(.mul, "MulBackward0", a, b, constant: constant, saving: true, location: location,
               da: { g, b, _ in g * b! }, db: { g, _, a in g * a! })
    }

    static func div(_ a: consuming Tensor, _ b: Tensor, constant: Bool, location: SourceLocation?) -> Tensor {
        binary(.div, "DivBackward0", a, b, constant: constant, saving: true, location: location,
               da: { g, b, _ in g / b! }, db: { g, b, a in -g * a! / (b! * b!) })
    }

    /// Runs a broadcasting binary kernel (over `a` when it is a temporary nothing else
    /// holds and the node does not save it: `isReusableOperand`) and, when recording, a node whose input
    /// gradients are `da` and `db` of the output gradient and, with `saving`, the operands
    /// `b` and `a` (nil when not kept), each summed back to its input's shape and converted
    /// to its dtype. With `saving`, the node keeps `[b]`, and `[b, a]` when `b` needs a
    /// gradient (or carries a tangent): as PyTorch, `a` is not kept alive (nor checked for
    /// in-place changes) when only its own gradient is wanted. A constant `b` (a wrapped
    /// number nothing else can reach, so nothing can change it in place) is kept by the
    /// backward closure instead of saved — no saved-tensor list to build, check and
    /// unpack — except under saved-tensor hooks, which see it as they do in PyTorch.
    private static func binary(
        _ kernel: BinaryKernel, _ name: StaticString, _ a: consuming Tensor, _ b: Tensor, constant: Bool,
        saving: Bool = false, location: SourceLocation?,
        da: @escaping (_ g: Tensor, _ b: Tensor?, _ a: Tensor?) -> Tensor, db: @escaping (_ g: Tensor, _ b: Tensor?, _ a: Tensor?) -> Tensor
    ) -> Tensor {
        let keepsA = !constant && (b.requiresGrad || b.tangent != nil)
        let overwritesA = !(saving && keepsA) && a.dtype == b.dtype && a.dtype.isFloatingPoint && isReusableOperand(&a)
            && broadcastShape(a, b, op: kernel.name, location: location) == a.shape
        let out = overwritesA ? a.overwritten { kernel.run($0, b, into: $1) } : arithmetic(kernel, a, b, op: kernel.name, location: location)
        guard recording(a, b) else { return out }
        let (sa, ta, sb, tb) = (a.shape, a.dtype, b.shape, b.dtype)
        let heldB: Tensor? = saving && constant && SavedTensorHookStack.innermost == nil ? b : nil
        let saved: [Tensor] = !saving || heldB != nil ? [] : keepsA ? [b, copy a] : [b]
        return out.recorded(name, inputs: [copy a, constant ? nil : b], saving: saved, location: location) { c in
            if let heldB, c.needs(0) {
                return [Tensor.applying(kernel, c.takeGrad(), constant: heldB, da).sumTo(sa).to(ta), nil]
            }
            let vb = heldB ?? (c.saved.isEmpty ? nil : c.saved[0]), va = c.saved.count > 1 ? c.saved[1] : nil
            return [c.needs(0) ? da(c.grad, vb, va).sumTo(sa).to(ta) : nil,
                    c.needs(1) ? db(c.grad, vb, va).sumTo(sb).to(tb) : nil]
        }
    }

    /// `da(g, b, nil)` for a constant `b` (a mul or div gradient): `g ∘ b` written over
    /// `g` when it is a gradient nothing else holds (`isReusableGradient`) and of `b`'s
    /// dtype, else through `da`.
    private static func applying(
        _ kernel: BinaryKernel, _ g: consuming Tensor, constant b: Tensor, _ da: (_ g: Tensor, _ b: Tensor?, _ a: Tensor?) -> Tensor
    ) -> Tensor {
        guard g.dtype == b.dtype, isReusableGradient(&g) else { return da(g, b, nil) }
        kernel.run(g, b, into: g)
        return g
    }

    /// `self` raised to a constant power (PowBackward0).
    public func pow(_ exponent: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let location = SourceLocation(file: file, line: line)
        let integral = !dtype.isFloatingPoint && exponent == exponent.rounded() && exponent >= 0
        let operand = integral ? Tensor.scalarOperand(Int(exponent), for: self) : Tensor.scalarOperand(exponent, for: self)
        let out = Tensor.arithmetic(.pow, self, operand, op: "pow", location: location)
        guard Tensor.recording(self) else { return out }
        return out.recorded("PowBackward0", inputs: [self], saving: [self], location: location) { c in
            guard exponent != 0 else { return [Tensor.zeros(like: c.grad)] }
            return [c.grad * (c.saved[0].pow(exponent - 1) * exponent)]
        }
    }

    /// `self` raised elementwise to `exponent`, broadcasting (PowBackward1).
    public func pow(_ exponent: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let location = SourceLocation(file: file, line: line)
        let out = Tensor.arithmetic(.pow, self, exponent, op: "pow", location: location)
        guard Tensor.recording(self, exponent) else { return out }
        let (sa, ta, sb, tb) = (shape, dtype, exponent.shape, exponent.dtype)
        return out.recorded("PowBackward1", inputs: [self, exponent], saving: [self, exponent], savingOutput: true, location: location) { c in
            let (x, e, y) = (c.saved[0], c.saved[1], c.saved[2])
            let gx = c.needs(0) ? Tensor.where(e .== 0, Tensor.zeros([], dtype: c.grad.dtype), c.grad * (e * x.pow(e - 1))).sumTo(sa).to(ta) : nil
            let gy = c.needs(1) ? Tensor.where((x .== 0) & (e .>= 0), Tensor.zeros([], dtype: c.grad.dtype), c.grad * (y * x.log())).sumTo(sb).to(tb) : nil
            return [gx, gy]
        }
    }

    /// `-self` (`torch.neg`, NegBackward0).
    public func neg() -> Tensor {
        let out = UnaryKernel.neg.run(self)
        guard Tensor.recording(self) else { return out }
        return out.recorded("NegBackward0", inputs: [self]) { c in [-c.grad] }
    }

    /// The dtype of `a ∘ b` by PyTorch's rules: the higher of the two types, except that a
    /// zero-dimensional operand does not raise a dimensioned one of the same category.
    static func resultType(_ a: Tensor, _ b: Tensor) -> DType {
        if (a.rank == 0) == (b.rank == 0) { return DType.promote(a.dtype, b.dtype) }
        let (dimensioned, zeroDim) = a.rank == 0 ? (b, a) : (a, b)
        return zeroDim.dtype.category > dimensioned.dtype.category ? zeroDim.dtype : dimensioned.dtype
    }

    /// A Swift number as a zero-dimensional operand for an op with `tensor`, typed as
    /// PyTorch types a wrapped number: it raises the result's category, never its width.
    static func scalarOperand<S: TensorLiteralScalar>(_ value: S, for tensor: Tensor) -> Tensor {
        let dtype = S.defaultDType.category > tensor.dtype.category ? S.defaultDType : tensor.dtype
        return WrappedNumbers.tensor(double: value.literalDouble, integer: value.literalInt64, dtype: dtype)
    }

    /// Runs a binary kernel after promotion and broadcasting; division and non-integer
    /// powers of integers compute in float32.
    static func arithmetic(_ kernel: BinaryKernel, _ a: Tensor, _ b: Tensor, op: String, location: SourceLocation?) -> Tensor {
        if a.dtype == b.dtype && (a.dtype.isFloatingPoint || kernel != .div) {
            return kernel.run(a, b, shape: broadcastShape(a, b, op: op, location: location))
        }
        var dtype = resultType(a, b)
        if kernel == .div && !dtype.isFloatingPoint { dtype = .float32 }
        let shape = broadcastShape(a, b, op: op, location: location)
        return kernel.run(a.to(dtype), b.to(dtype), shape: shape)
    }

    /// The broadcast shape of two operands, or a stop naming the op and both shapes.
    static func broadcastShape(_ a: Tensor, _ b: Tensor, op: String, location: SourceLocation?) -> [Int] {
        if a.shape == b.shape || (b.count == 1 && b.rank <= a.rank) { return a.shape }
        if a.count == 1 && a.rank <= b.rank { return b.shape }
        if let shape = Shape.broadcast(a.shape, b.shape) { return shape }
        let n = Swift.max(a.rank, b.rank)
        let ones = [Int](filled: 1, count: n)
        let pa: [Int] = Array(ones[a.rank...]) + a.shape
        let pb: [Int] = Array(ones[b.rank...]) + b.shape
        let d = (0..<n).last { pa[$0] != pb[$0] && pa[$0] != 1 && pb[$0] != 1 } ?? 0
        failAt(location, "\(op): shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) do not broadcast: The size of tensor a (\(pa[d])) must match the size of tensor b (\(pb[d])) at non-singleton dimension \(d)")
    }
}

/// Stops with `message`, naming the user's call site when known.
func failAt(_ location: SourceLocation?, _ message: String) -> Never {
    if let location { fail(message, file: location.file, line: location.line) }
    fail(message + " (called through an operator)", file: #fileID, line: #line)
}
