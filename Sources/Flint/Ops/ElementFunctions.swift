// The per-element math of the elementwise kernels, one small type per function (see
// `UnaryFunction`): the ops layer decides the math, the kernels the loops.
import RealModule

struct FloatAdd<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> T { a + b } }
struct FloatSub<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> T { a - b } }
struct FloatMul<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> T { a * b } }
/// `a + alpha·b`, as `add(other, alpha=)`.
struct FloatScaledAdd<T: FloatingTensorElement>: BinaryFunction {
    let alpha: T
    func callAsFunction(_ a: T, _ b: T) -> T { a + alpha * b }
}
struct FloatDiv<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> T { a / b } }
struct FloatPow<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> T { T.libmPow(a, b) } }
/// NaN-propagating maximum, as `torch.maximum`.
struct FloatMaximum<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> T { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) } }
/// NaN-propagating minimum, as `torch.minimum`.
struct FloatMinimum<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> T { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) } }

struct IntegerAdd: BinaryFunction { func callAsFunction(_ a: Int64, _ b: Int64) -> Int64 { a &+ b } }
struct IntegerSub: BinaryFunction { func callAsFunction(_ a: Int64, _ b: Int64) -> Int64 { a &- b } }
struct IntegerMul: BinaryFunction { func callAsFunction(_ a: Int64, _ b: Int64) -> Int64 { a &* b } }
/// Truncating division; division by zero gives 0 instead of trapping.
struct IntegerDiv: BinaryFunction { func callAsFunction(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? 0 : a / b } }
/// Integer power by repeated multiplication (negative exponents give 0 unless the base is 1).
struct IntegerPow: BinaryFunction {
    func callAsFunction(_ base: Int64, _ exponent: Int64) -> Int64 {
        if exponent < 0 { return base == 1 ? 1 : 0 }
        var result: Int64 = 1
        for _ in 0..<exponent { result &*= base }
        return result
    }
}
struct IntegerMaximum: BinaryFunction { func callAsFunction(_ a: Int64, _ b: Int64) -> Int64 { Swift.max(a, b) } }
struct IntegerMinimum: BinaryFunction { func callAsFunction(_ a: Int64, _ b: Int64) -> Int64 { Swift.min(a, b) } }

struct Exp<T: FloatingTensorElement>: UnaryFunction { func callAsFunction(_ x: T) -> T { T.exp(x) } }
struct Log<T: FloatingTensorElement>: UnaryFunction { func callAsFunction(_ x: T) -> T { T.log(x) } }
struct Sin<T: FloatingTensorElement>: UnaryFunction { func callAsFunction(_ x: T) -> T { T.sin(x) } }
struct Cos<T: FloatingTensorElement>: UnaryFunction { func callAsFunction(_ x: T) -> T { T.cos(x) } }
struct Tanh<T: FloatingTensorElement>: UnaryFunction { func callAsFunction(_ x: T) -> T { T.tanh(x) } }
struct Sigmoid<T: FloatingTensorElement>: UnaryFunction { func callAsFunction(_ x: T) -> T { 1 / (1 + T.exp(-x)) } }
struct SquareRoot<T: FloatingTensorElement>: UnaryFunction { func callAsFunction(_ x: T) -> T { x.squareRoot() } }
struct Erf<T: FloatingTensorElement>: UnaryFunction { func callAsFunction(_ x: T) -> T { T.erf(x) } }
struct Reciprocal<T: FloatingTensorElement>: UnaryFunction { func callAsFunction(_ x: T) -> T { 1 / x } }
struct Absolute<T: NumericTensorElement & SignedNumeric>: UnaryFunction { func callAsFunction(_ x: T) -> T { x < 0 ? -x : x } }
struct Negate<T: NumericTensorElement & SignedNumeric>: UnaryFunction { func callAsFunction(_ x: T) -> T { 0 - x } }
/// `max(x, 0)`, keeping NaN.
struct Relu<T: NumericTensorElement>: UnaryFunction { func callAsFunction(_ x: T) -> T { x > 0 || x != x ? x : 0 } }
/// -1, 0 or 1 (NaN for NaN).
struct Sign<T: NumericTensorElement & SignedNumeric>: UnaryFunction { func callAsFunction(_ x: T) -> T { x > 0 ? 1 : (x < 0 ? -1 : (x != x ? x : 0)) } }

struct Less<T: NumericTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> Bool { a < b } }
struct LessEqual<T: NumericTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> Bool { a <= b } }
struct Greater<T: NumericTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> Bool { a > b } }
struct GreaterEqual<T: NumericTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> Bool { a >= b } }
struct Equal<T: NumericTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> Bool { a == b } }
struct NotEqual<T: NumericTensorElement>: BinaryFunction { func callAsFunction(_ a: T, _ b: T) -> Bool { a != b } }

/// A copy of an element of the same type.
struct Identity<T>: UnaryFunction { func callAsFunction(_ x: T) -> T { x } }
/// A dtype conversion through `Double` (exact for every pair but int64 beyond 2^53,
/// which `Identity` covers for int64 → int64).
struct Convert<Source: TensorElement, Target: TensorElement>: UnaryFunction {
    func callAsFunction(_ x: Source) -> Target { Target(flintDouble: x.flintDouble) }
}

/// `g·(1 - y²)`: the gradient of tanh from its output.
struct TanhGradient<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ g: T, _ y: T) -> T { g * (1 - y * y) } }
/// `g·y·(1 - y)`: the gradient of sigmoid from its output.
struct SigmoidGradient<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ g: T, _ y: T) -> T { g * (y * (1 - y)) } }
/// `g·cos(x)`: the gradient of sine.
struct SineGradient<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ g: T, _ x: T) -> T { g * T.cos(x) } }
/// `g·(−sin(x))`: the gradient of cosine.
struct CosineGradient<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ g: T, _ x: T) -> T { g * -T.sin(x) } }
/// `g` where `y > 0` (or NaN), else 0: the gradient of relu from its output.
struct ThresholdGradient<T: FloatingTensorElement>: BinaryFunction { func callAsFunction(_ g: T, _ y: T) -> T { y <= 0 ? 0 : g } }
