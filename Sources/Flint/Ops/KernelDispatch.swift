/// The bridge from tensors to kernels: picks the element type from the dtype and the
/// loop body from the operation, so each combination is a specialised loop.
enum BinaryKernel: String {
    case add, sub, mul, div, pow, maximum, minimum

    /// PyTorch's name of the op, for messages.
    var name: String { rawValue }

    /// `out = a ∘ b` for same-dtype inputs broadcast to `shape`.
    func run(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: a.dtype)
        let sa = Shape.broadcastStrides(shape: a.shape, strides: a.strides, to: shape)
        let sb = Shape.broadcastStrides(shape: b.shape, strides: b.strides, to: shape)
        func float<T: FloatingTensorElement>(_: T.Type) {
            let pa = UnsafePointer(a.pointer(T.self)), pb = UnsafePointer(b.pointer(T.self)), po = out.pointer(T.self), so = out.strides
            switch self {
            case .add: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, FloatAdd<T>())
            case .sub: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, FloatSub<T>())
            case .mul: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, FloatMul<T>())
            case .div: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, FloatDiv<T>())
            case .pow: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, FloatPow<T>())
            case .maximum: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, FloatMaximum<T>())
            case .minimum: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, FloatMinimum<T>())
            }
        }
        func integer() {
            let pa = UnsafePointer(a.pointer(Int64.self)), pb = UnsafePointer(b.pointer(Int64.self)), po = out.pointer(Int64.self), so = out.strides
            switch self {
            case .add: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, IntegerAdd())
            case .sub: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, IntegerSub())
            case .mul: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, IntegerMul())
            case .div: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, IntegerDiv())
            case .pow: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, IntegerPow())
            case .maximum: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, IntegerMaximum())
            case .minimum: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, IntegerMinimum())
            }
        }
        switch a.dtype {
        case .float32: float(Float.self)
        case .float64: float(Double.self)
        case .int64: integer()
        case .bool: return run(a.copyData(to: .int64), b.copyData(to: .int64), shape: shape).copyData(to: .bool)
        }
        return out
    }
}

/// Elementwise functions of one float tensor (integer ones for `abs`, `neg`, `sign`).
enum UnaryKernel {
    case exp, log, sin, cos, tanh, sigmoid, sqrt, abs, neg, relu, sign, reciprocal, erf

    /// The vectorised kernel for this function, when there is one.
    private var vectorFunction: VectorMath.Function? {
        switch self {
        case .exp: .exp
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        default: nil
        }
    }

    /// `f(x)` elementwise into a new contiguous tensor of the same dtype.
    func run(_ x: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        if x.dtype == .float32, x.isContiguous, let f = vectorFunction,
           VectorMath.apply(f, x.pointer(Float.self), into: out.pointer(Float.self), count: x.count) {
            return out
        }
        func float<T: FloatingTensorElement>(_: T.Type) {
            let px = UnsafePointer(x.pointer(T.self)), po = out.pointer(T.self), sx = x.strides, so = out.strides, s = x.shape
            switch self {
            case .exp: Elementwise.map(shape: s, px, sx, into: po, so, Exp<T>())
            case .log: Elementwise.map(shape: s, px, sx, into: po, so, Log<T>())
            case .sin: Elementwise.map(shape: s, px, sx, into: po, so, Sin<T>())
            case .cos: Elementwise.map(shape: s, px, sx, into: po, so, Cos<T>())
            case .tanh: Elementwise.map(shape: s, px, sx, into: po, so, Tanh<T>())
            case .sigmoid: Elementwise.map(shape: s, px, sx, into: po, so, Sigmoid<T>())
            case .sqrt: Elementwise.map(shape: s, px, sx, into: po, so, SquareRoot<T>())
            case .abs: Elementwise.map(shape: s, px, sx, into: po, so, Absolute<T>())
            case .neg: Elementwise.map(shape: s, px, sx, into: po, so, Negate<T>())
            case .relu: Elementwise.map(shape: s, px, sx, into: po, so, Relu<T>())
            case .sign: Elementwise.map(shape: s, px, sx, into: po, so, Sign<T>())
            case .reciprocal: Elementwise.map(shape: s, px, sx, into: po, so, Reciprocal<T>())
            case .erf: Elementwise.map(shape: s, px, sx, into: po, so, Erf<T>())
            }
        }
        switch x.dtype {
        case .float32: float(Float.self)
        case .float64: float(Double.self)
        case .int64:
            let px = UnsafePointer(x.pointer(Int64.self)), po = out.pointer(Int64.self)
            switch self {
            case .abs: Elementwise.map(shape: x.shape, px, x.strides, into: po, out.strides, Absolute<Int64>())
            case .neg: Elementwise.map(shape: x.shape, px, x.strides, into: po, out.strides, Negate<Int64>())
            case .sign: Elementwise.map(shape: x.shape, px, x.strides, into: po, out.strides, Sign<Int64>())
            case .relu: Elementwise.map(shape: x.shape, px, x.strides, into: po, out.strides, Relu<Int64>())
            default: return run(x.copyData(to: .float32))
            }
        case .bool:
            return run(x.copyData(to: self == .abs || self == .sign || self == .relu ? .int64 : .float32))
        }
        return out
    }
}

/// Elementwise comparisons, giving `.bool` tensors.
enum CompareKernel {
    case lt, le, gt, ge, eq, ne

    /// `a ∘ b` for same-dtype inputs broadcast to `shape`.
    func run(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: .bool)
        let sa = Shape.broadcastStrides(shape: a.shape, strides: a.strides, to: shape)
        let sb = Shape.broadcastStrides(shape: b.shape, strides: b.strides, to: shape)
        func compare<T: NumericTensorElement>(_: T.Type) {
            let pa = UnsafePointer(a.pointer(T.self)), pb = UnsafePointer(b.pointer(T.self)), po = out.pointer(Bool.self), so = out.strides
            switch self {
            case .lt: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, Less<T>())
            case .le: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, LessEqual<T>())
            case .gt: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, Greater<T>())
            case .ge: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, GreaterEqual<T>())
            case .eq: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, Equal<T>())
            case .ne: Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, so, NotEqual<T>())
            }
        }
        switch a.dtype {
        case .float32: compare(Float.self)
        case .float64: compare(Double.self)
        case .int64: compare(Int64.self)
        case .bool: return run(a.copyData(to: .int64), b.copyData(to: .int64), shape: shape)
        }
        return out
    }
}

/// Reductions over a set of dimensions.
enum ReduceKernel {
    case sum, max, min, norm

    /// Reduces the flagged dimensions of `x` into a new tensor of `outShape`. Float sums
    /// accumulate in double precision; integer and bool sums give int64.
    func run(_ x: Tensor, reduced: [Bool], outShape: [Int]) -> Tensor {
        if self == .sum, x.dtype == .float32, x.isContiguous, !reduced.contains(false),
           let total = VectorMath.sum(x.pointer(Float.self), count: x.count) {
            return Tensor(Float(total))
        }
        func float<T: FloatingTensorElement>(_: T.Type) -> Tensor {
            let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
            let px = UnsafePointer(x.pointer(T.self)), po = out.pointer(T.self)
            switch self {
            case .sum:
                Reduction.reduce(shape: x.shape, px, x.strides, reduced: reduced, into: po, initial: 0.0, { $0 + Double($1) }, merge: +, finish: { T($0) })
            case .norm:
                Reduction.reduce(shape: x.shape, px, x.strides, reduced: reduced, into: po, initial: 0.0, { $0 + Double($1) * Double($1) }, merge: +, finish: { T($0.squareRoot()) })
            case .max:
                Reduction.reduce(shape: x.shape, px, x.strides, reduced: reduced, into: po, initial: -T.infinity, { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }, merge: { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }, finish: { $0 })
            case .min:
                Reduction.reduce(shape: x.shape, px, x.strides, reduced: reduced, into: po, initial: T.infinity, { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }, merge: { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }, finish: { $0 })
            }
            return out
        }
        switch x.dtype {
        case .float32: return float(Float.self)
        case .float64: return float(Double.self)
        case .int64, .bool:
            let source = x.dtype == .int64 ? x : x.copyData(to: .int64)
            let out = Tensor(uninitializedShape: outShape, dtype: .int64)
            let px = UnsafePointer(source.pointer(Int64.self)), po = out.pointer(Int64.self)
            switch self {
            case .sum: Reduction.reduce(shape: x.shape, px, source.strides, reduced: reduced, into: po, initial: Int64(0), { $0 &+ $1 }, merge: { $0 &+ $1 }, finish: { $0 })
            case .max: Reduction.reduce(shape: x.shape, px, source.strides, reduced: reduced, into: po, initial: Int64.min, { Swift.max($0, $1) }, merge: { Swift.max($0, $1) }, finish: { $0 })
            case .min: Reduction.reduce(shape: x.shape, px, source.strides, reduced: reduced, into: po, initial: Int64.max, { Swift.min($0, $1) }, merge: { Swift.min($0, $1) }, finish: { $0 })
            case .norm: return run(x.copyData(to: .float32), reduced: reduced, outShape: outShape)
            }
            return x.dtype == .bool && self != .sum ? out.copyData(to: .bool) : out
        }
    }

    /// Index of the largest (or smallest) element along `dim`, NaN counting as largest.
    static func argExtremum(_ x: Tensor, dim: Int, largest: Bool, outShape: [Int]) -> Tensor {
        let out = Tensor(uninitializedShape: outShape, dtype: .int64)
        func float<T: FloatingTensorElement>(_: T.Type) {
            Reduction.argReduce(shape: x.shape, x.pointer(T.self), x.strides, dim: dim, into: out.pointer(Int64.self)) { candidate, best in
                if best.isNaN { return false }
                if candidate.isNaN { return true }
                return largest ? candidate > best : candidate < best
            }
        }
        switch x.dtype {
        case .float32: float(Float.self)
        case .float64: float(Double.self)
        case .int64: Reduction.argReduce(shape: x.shape, x.pointer(Int64.self), x.strides, dim: dim, into: out.pointer(Int64.self)) { largest ? $0 > $1 : $0 < $1 }
        case .bool: return argExtremum(x.copyData(to: .int64), dim: dim, largest: largest, outShape: outShape)
        }
        return out
    }
}
