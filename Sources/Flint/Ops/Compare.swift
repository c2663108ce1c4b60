// Comparisons. Elementwise ones (`.<` `.==` ...) give `.bool` tensors, as Swift's SIMD
// types do; `<` `<=` `>` `>=` between a one-element tensor and a number give a `Bool`,
// so `while y.norm() < 1000 { ... }` reads as in Python. Not differentiable.

extension Tensor {
    static func compare(_ kernel: CompareKernel, _ a: Tensor, _ b: Tensor, op: String) -> Tensor {
        let dtype = resultType(a, b)
        let shape = broadcastShape(a, b, op: op, location: nil)
        return kernel.run(a.to(dtype), b.to(dtype), shape: shape)
    }

    /// Elementwise `lhs < rhs`.
    public static func .< (lhs: Tensor, rhs: Tensor) -> Tensor { compare(.lt, lhs, rhs, op: "lt") }
    /// Elementwise `lhs <= rhs`.
    public static func .<= (lhs: Tensor, rhs: Tensor) -> Tensor { compare(.le, lhs, rhs, op: "le") }
    /// Elementwise `lhs > rhs`.
    public static func .> (lhs: Tensor, rhs: Tensor) -> Tensor { compare(.gt, lhs, rhs, op: "gt") }
    /// Elementwise `lhs >= rhs`.
    public static func .>= (lhs: Tensor, rhs: Tensor) -> Tensor { compare(.ge, lhs, rhs, op: "ge") }
    /// Elementwise `lhs == rhs`.
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { compare(.eq, lhs, rhs, op: "eq") }
    /// Elementwise `lhs != rhs`.
    public static func .!= (lhs: Tensor, rhs: Tensor) -> Tensor { compare(.ne, lhs, rhs, op: "ne") }

    /// Elementwise `lhs < rhs` against a number.
    public static func .< (lhs: Tensor, rhs: some TensorLiteralScalar) -> Tensor { lhs .< scalarOperand(rhs, for: lhs) }
    /// Elementwise `lhs <= rhs` against a number.
    public static func .<= (lhs: Tensor, rhs: some TensorLiteralScalar) -> Tensor { lhs .<= scalarOperand(rhs, for: lhs) }
    /// Elementwise `lhs > rhs` against a number.
    public static func .> (lhs: Tensor, rhs: some TensorLiteralScalar) -> Tensor { lhs .> scalarOperand(rhs, for: lhs) }
    /// Elementwise `lhs >= rhs` against a number.
    public static func .>= (lhs: Tensor, rhs: some TensorLiteralScalar) -> Tensor { lhs .>= scalarOperand(rhs, for: lhs) }
    /// Elementwise `lhs == rhs` against a number.
    public static func .== (lhs: Tensor, rhs: some TensorLiteralScalar) -> Tensor { lhs .== scalarOperand(rhs, for: lhs) }
    /// Elementwise `lhs != rhs` against a number.
    public static func .!= (lhs: Tensor, rhs: some TensorLiteralScalar) -> Tensor { lhs .!= scalarOperand(rhs, for: lhs) }

    /// Whether a one-element tensor is less than a number.
    public static func < (lhs: Tensor, rhs: Double) -> Bool { lhs.item() < rhs }
    /// Whether a one-element tensor is at most a number.
    public static func <= (lhs: Tensor, rhs: Double) -> Bool { lhs.item() <= rhs }
    /// Whether a one-element tensor is greater than a number.
    public static func > (lhs: Tensor, rhs: Double) -> Bool { lhs.item() > rhs }
    /// Whether a one-element tensor is at least a number.
    public static func >= (lhs: Tensor, rhs: Double) -> Bool { lhs.item() >= rhs }

    /// Elementwise logical and of two tensors (nonzero is true).
    public static func & (lhs: Tensor, rhs: Tensor) -> Tensor {
        compare(.ne, lhs.to(.bool).to(.int64) * rhs.to(.bool).to(.int64), Tensor(0), op: "logical_and")
    }

    /// Elementwise logical or of two tensors (nonzero is true).
    public static func | (lhs: Tensor, rhs: Tensor) -> Tensor {
        compare(.ne, lhs.to(.bool).to(.int64) + rhs.to(.bool).to(.int64), Tensor(0), op: "logical_or")
    }

    /// Elementwise choice: `a` where `condition` is true, else `b`, broadcasting all
    /// three (`torch.where`, WhereBackward0).
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let location = SourceLocation(file: file, line: line)
        let dtype = resultType(a, b)
        let shape = broadcastShape(condition, Tensor.zeros(broadcastShape(a, b, op: "where", location: location)), op: "where", location: location)
        let (cond, x, y) = (condition.to(.bool), a.to(dtype), b.to(dtype))
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        let (sc, sx, sy) = (Shape.broadcastStrides(shape: cond.shape, strides: cond.strides, to: shape), Shape.broadcastStrides(shape: x.shape, strides: x.strides, to: shape), Shape.broadcastStrides(shape: y.shape, strides: y.strides, to: shape))
        func run<T: TensorElement>(_: T.Type) {
            Elementwise.select(shape: shape, cond.pointer(Bool.self), sc, x.pointer(T.self), sx, y.pointer(T.self), sy, into: out.pointer(T.self), out.strides)
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        case .bool: run(Bool.self)
        }
        guard recording(a, b) else { return out }
        let (sa, ta, sb, tb) = (a.shape, a.dtype, b.shape, b.dtype)
        return out.recorded("WhereBackward0", inputs: [nil, a, b], saving: [cond], location: location) { c in
            let zero = Tensor.zeros([], dtype: c.grad.dtype)
            return [nil,
                    c.needs(1) ? Tensor.where(c.saved[0], c.grad, zero).sumTo(sa).to(ta) : nil,
                    c.needs(2) ? Tensor.where(c.saved[0], zero, c.grad).sumTo(sb).to(tb) : nil]
        }
    }
}
