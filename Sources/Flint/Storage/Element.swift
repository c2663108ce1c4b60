import RealModule
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
private typealias Glibc = Darwin
#endif

/// A Swift type that can be stored as tensor elements.
public protocol TensorElement: Sendable {
    /// The dtype whose storage holds values of this type.
    static var dtype: DType { get }
    /// Converts from the common interchange representation.
    init(flintDouble value: Double)
    /// Converts to the common interchange representation.
    var flintDouble: Double { get }
}

/// Tensor elements with ring arithmetic (everything but `Bool`).
public protocol NumericTensorElement: TensorElement, Numeric, Comparable {}

/// Floating-point tensor elements: the types autograd works on.
public protocol FloatingTensorElement: NumericTensorElement, Real, BinaryFloatingPoint
where Self: SIMDScalar {
    /// C's `pow`: defined for negative bases with integral exponents, as PyTorch's.
    static func libmPow(_ base: Self, _ exponent: Self) -> Self
}

extension Float: FloatingTensorElement {
    /// `.float32`.
    public static var dtype: DType { .float32 }
    /// Rounds a `Double` to the nearest `Float`.
    public init(flintDouble value: Double) { self.init(value) }
    /// The exact `Double` value.
    public var flintDouble: Double { Double(self) }
    /// `powf`.
    public static func libmPow(_ base: Float, _ exponent: Float) -> Float { powf(base, exponent) }
}

extension Double: FloatingTensorElement {
    /// `.float64`.
    public static var dtype: DType { .float64 }
    /// The value itself.
    public init(flintDouble value: Double) { self = value }
    /// The value itself.
    public var flintDouble: Double { self }
    /// `pow`.
    public static func libmPow(_ base: Double, _ exponent: Double) -> Double { Glibc.pow(base, exponent) }
}

extension Int64: NumericTensorElement {
    /// `.int64`.
    public static var dtype: DType { .int64 }
    /// Truncates toward zero, as a C cast does; NaN and out-of-range values give 0 / the bound.
    public init(flintDouble value: Double) {
        if value.isNaN { self = 0 } else if value >= 9.2233720368547758e18 { self = .max } else if value <= -9.2233720368547758e18 { self = .min } else { self.init(value) }
    }
    /// The nearest `Double`.
    public var flintDouble: Double { Double(self) }
}

extension Bool: TensorElement {
    /// `.bool`.
    public static var dtype: DType { .bool }
    /// Nonzero is `true`.
    public init(flintDouble value: Double) { self = value != 0 }
    /// 1 for `true`, 0 for `false`.
    public var flintDouble: Double { self ? 1 : 0 }
}
