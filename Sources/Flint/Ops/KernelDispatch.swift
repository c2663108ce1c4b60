/// The bridge from tensors to kernels: picks the element type from the dtype and the
/// loop body from the operation, so each combination is a specialised loop.

/// Runs `f` over `a` and `b` broadcast to `out`'s shape: a plain loop when both are
/// contiguous in that shape (or `b` is a single element), else the strided walk.
/// `a` may be `out` itself (an operand copied for being transposed is never `out`).
@inline(__always)
func broadcastLoop<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, into out: Tensor, _ f: F)
where F.First: TensorElement, F.Second: TensorElement, F.Output: TensorElement {
    let shape = out.shape
    // A float32 operand stored transposed is copied into the output's layout first (a
    // blocked transpose), so the loop below runs contiguous and vectorised, not
    // element by element across cache lines (second-order gradients meet such operands).
    let a = out.isContiguous && a.dtype == .float32 && a.isTransposedMatrix(shape: shape) ? a.copyData(to: .float32) : a
    let b = out.isContiguous && b.dtype == .float32 && b.isTransposedMatrix(shape: shape) ? b.copyData(to: .float32) : b
    let pa = UnsafePointer(a.pointer(F.First.self)), pb = UnsafePointer(b.pointer(F.Second.self)), po = out.pointer(F.Output.self)
    let aDense = a.shape == shape && a.isContiguous, bDense = b.shape == shape && b.isContiguous
    let aScalar = !aDense && a.isBroadcastScalar, bScalar = !bDense && b.isBroadcastScalar
    if out.isContiguous && aScalar && bScalar {
        po.update(repeating: f(pa[0], pb[0]), count: out.count)
    } else if out.isContiguous && (aDense || aScalar) && (bDense || bScalar) {
        Elementwise.zipContiguous(count: out.count, pa, aIsScalar: aScalar, pb, bIsScalar: bScalar, into: po, f)
    } else {
        let sa = Shape.broadcastStrides(shape: a.shape, strides: a.strides, to: shape)
        let sb = Shape.broadcastStrides(shape: b.shape, strides: b.strides, to: shape)
        Elementwise.zip(shape: shape, pa, sa, pb, sb, into: po, out.strides, f)
    }
}
enum BinaryKernel: String {
    case add, sub, mul, div, pow, maximum, minimum

    /// PyTorch's name of the op, for messages.
    var name: String { rawValue }

    /// `out = a ∘ b` for same-dtype inputs broadcast to `shape`.
    func run(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: a.dtype, like: a)
        run(a, b, into: out)
        return out
    }

    /// Writes `a ∘ b` (same dtype as `out`, broadcast to its shape) into `out`, which may
    /// be `a` itself.
    func run(_ a: Tensor, _ b: Tensor, into out: Tensor) {
        func float<T: FloatingTensorElement>(_: T.Type) {
            switch self {
            case .add: broadcastLoop(a, b, into: out, FloatAdd<T>())
            case .sub: broadcastLoop(a, b, into: out, FloatSub<T>())
            case .mul: broadcastLoop(a, b, into: out, FloatMul<T>())
            case .div: broadcastLoop(a, b, into: out, FloatDiv<T>())
            case .pow: broadcastLoop(a, b, into: out, FloatPow<T>())
            case .maximum: broadcastLoop(a, b, into: out, FloatMaximum<T>())
            case .minimum: broadcastLoop(a, b, into: out, FloatMinimum<T>())
            }
        }
        func integer() {
            switch self {
            case .add: broadcastLoop(a, b, into: out, IntegerAdd())
            case .sub: broadcastLoop(a, b, into: out, IntegerSub())
            case .mul: broadcastLoop(a, b, into: out, IntegerMul())
            case .div: broadcastLoop(a, b, into: out, IntegerDiv())
            case .pow: broadcastLoop(a, b, into: out, IntegerPow())
            case .maximum: broadcastLoop(a, b, into: out, IntegerMaximum())
            case .minimum: broadcastLoop(a, b, into: out, IntegerMinimum())
            }
        }
        switch a.dtype {
        case .float32: float(Float.self)
        case .float64: float(Double.self)
        case .int64: integer()
        case .bool: out.assign(from: run(a.copyData(to: .int64), b.copyData(to: .int64), shape: out.shape))
        }
    }

    /// Writes `a + alpha·b` (floating point, same dtype, `b` broadcast to `a`'s shape) into
    /// `a` in one pass: `add_(other, alpha=)`.
    static func scaledAdd(_ a: Tensor, _ b: Tensor, alpha: Double) {
        if a.dtype == .float32 {
            broadcastLoop(a, b, into: a, FloatScaledAdd(alpha: Float(alpha)))
        } else {
            broadcastLoop(a, b, into: a, FloatScaledAdd(alpha: alpha))
        }
    }
}

extension Tensor {
    /// Whether every element reads the same value (one element, or a scalar expanded).
    var isBroadcastScalar: Bool { count == 1 || strides.allSatisfy { $0 == 0 } }
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

    /// `f(x)` elementwise into a new contiguous tensor of the same dtype, or into `given`
    /// (a contiguous floating-point tensor of `x`'s shape and dtype, which may share `x`'s
    /// buffer).
    func run(_ x: Tensor, into given: Tensor? = nil) -> Tensor {
        let out = given ?? Tensor(uninitializedShape: x.shape, dtype: x.dtype, like: x)
        if x.dtype == .float32, x.isContiguous, let f = vectorFunction,
           VectorMath.apply(f, x.pointer(Float.self), into: out.pointer(Float.self), count: x.count) {
            return out
        }
        let contiguous = x.isContiguous
        /// The loop for one element function: the contiguous fast path or the strided walk.
        func map<F: UnaryFunction>(_ px: UnsafePointer<F.Input>, _ po: UnsafeMutablePointer<F.Output>, _ f: F) {
            if contiguous {
                Elementwise.mapContiguous(count: x.count, px, into: po, f)
            } else {
                Elementwise.map(shape: x.shape, px, x.strides, into: po, out.strides, f)
            }
        }
        func float<T: FloatingTensorElement>(_: T.Type) {
            let px = UnsafePointer(x.pointer(T.self)), po = out.pointer(T.self)
            switch self {
            case .exp: map(px, po, Exp<T>())
            case .log: map(px, po, Log<T>())
            case .sin: map(px, po, Sin<T>())
            case .cos: map(px, po, Cos<T>())
            case .tanh: map(px, po, Tanh<T>())
            case .sigmoid: map(px, po, Sigmoid<T>())
            case .sqrt: map(px, po, SquareRoot<T>())
            case .abs: map(px, po, Absolute<T>())
            case .neg: map(px, po, Negate<T>())
            case .relu: map(px, po, Relu<T>())
            case .sign: map(px, po, Sign<T>())
            case .reciprocal: map(px, po, Reciprocal<T>())
            case .erf: map(px, po, Erf<T>())
            }
        }
        switch x.dtype {
        case .float32: float(Float.self)
        case .float64: float(Double.self)
        case .int64:
            let px = UnsafePointer(x.pointer(Int64.self)), po = out.pointer(Int64.self)
            switch self {
            case .abs: map(px, po, Absolute<Int64>())
            case .neg: map(px, po, Negate<Int64>())
            case .sign: map(px, po, Sign<Int64>())
            case .relu: map(px, po, Relu<Int64>())
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
        let out = Tensor(uninitializedShape: shape, dtype: .bool, like: a)
        func compare<T: NumericTensorElement>(_: T.Type) {
            switch self {
            case .lt: broadcastLoop(a, b, into: out, Less<T>())
            case .le: broadcastLoop(a, b, into: out, LessEqual<T>())
            case .gt: broadcastLoop(a, b, into: out, Greater<T>())
            case .ge: broadcastLoop(a, b, into: out, GreaterEqual<T>())
            case .eq: broadcastLoop(a, b, into: out, Equal<T>())
            case .ne: broadcastLoop(a, b, into: out, NotEqual<T>())
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
        if self == .sum, x.dtype == .float32, x.isContiguous, let (leading, kept, trailing) = Self.blocks(x.shape, reduced) {
            let out = Tensor(uninitializedShape: outShape, dtype: .float32)
            Reduction.sumBlocks(x.pointer(Float.self), leading: leading, kept: kept, trailing: trailing, into: out.pointer(Float.self))
            return out
        }
        func float<T: FloatingTensorElement>(_: T.Type) -> Tensor {
            let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
            let px = UnsafePointer(x.pointer(T.self)), po = out.pointer(T.self)
            if x.isContiguous, x.count < Parallel.elementwiseGrain, !reduced.contains(false) {
                po[0] = smallReduction(px, count: x.count)
                return out
            }
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

    /// `shape` as `[leading, kept, trailing]` when the reduced dimensions all come before
    /// or after the kept ones (dimensions of size 1 go either way) and some are kept.
    private static func blocks(_ shape: [Int], _ reduced: [Bool]) -> (Int, Int, Int)? {
        let keptDims = shape.indices.filter { !reduced[$0] && shape[$0] != 1 }
        guard let first = keptDims.first, let last = keptDims.last else { return nil }
        guard (first...last).allSatisfy({ !reduced[$0] || shape[$0] == 1 }) else { return nil }
        return (shape[..<first].reduce(1, *), shape[first...last].reduce(1, *), shape[(last + 1)...].reduce(1, *))
    }

    /// A whole contiguous tensor below the threading grain reduced in one plain loop,
    /// with the same accumulation (double for sums, NaN-propagating extrema).
    private func smallReduction<T: FloatingTensorElement>(_ x: UnsafePointer<T>, count: Int) -> T {
        switch self {
        case .sum, .norm:
            var total = 0.0
            for i in 0..<count {
                let v = Double(x[i])
                total += self == .sum ? v : v * v
            }
            return T(self == .sum ? total : total.squareRoot())
        case .max, .min:
            var best = self == .max ? -T.infinity : T.infinity
            for i in 0..<count {
                let v = x[i]
                if v.isNaN { return .nan }
                best = self == .max ? Swift.max(best, v) : Swift.min(best, v)
            }
            return best
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
