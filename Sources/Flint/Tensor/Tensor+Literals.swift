/// Swift values a tensor can be built from: `Float` and `Double` (float32 unless a dtype
/// is given, as `torch.tensor`), `Int` (int64) and `Bool`.
public protocol TensorLiteralScalar {
    /// The dtype a tensor built from these values gets by default.
    static var defaultDType: DType { get }
    /// The value as a `Double`.
    var literalDouble: Double { get }
    /// The value as an `Int64`, for exact integer storage.
    var literalInt64: Int64 { get }
}

extension Float: TensorLiteralScalar {
    /// `.float32`.
    public static var defaultDType: DType { .float32 }
    /// The exact `Double` value.
    public var literalDouble: Double { Double(self) }
    /// The value truncated toward zero.
    public var literalInt64: Int64 { Int64(flintDouble: Double(self)) }
}

extension Double: TensorLiteralScalar {
    /// `.float32`, PyTorch's default dtype.
    public static var defaultDType: DType { .float32 }
    /// The value itself.
    public var literalDouble: Double { self }
    /// The value truncated toward zero.
    public var literalInt64: Int64 { Int64(flintDouble: self) }
}

extension Int: TensorLiteralScalar {
    /// `.int64`.
    public static var defaultDType: DType { .int64 }
    /// The nearest `Double`.
    public var literalDouble: Double { Double(self) }
    /// The value itself.
    public var literalInt64: Int64 { Int64(self) }
}

extension Bool: TensorLiteralScalar {
    /// `.bool`.
    public static var defaultDType: DType { .bool }
    /// 1 or 0.
    public var literalDouble: Double { self ? 1 : 0 }
    /// 1 or 0.
    public var literalInt64: Int64 { self ? 1 : 0 }
}

extension Tensor: ExpressibleByArrayLiteral {
    /// A 1-D float32 tensor from a literal: `let w: Tensor = [0.1, 1.0, 0.0001]`.
    public convenience init(arrayLiteral elements: Double...) {
        self.init(elements)
    }

    /// A 0-d tensor holding `value` (`Tensor(27.0)` is float32, `Tensor(3)` int64).
    public convenience init<T: TensorLiteralScalar>(_ value: T, dtype: DType? = nil, requiresGrad: Bool = false) {
        self.init(flat: [value], shape: [], dtype: dtype ?? T.defaultDType, requiresGrad: requiresGrad)
    }

    /// A 0-d tensor of `dtype` holding a number (`integer` is used for int64, exactly),
    /// without the generic literal path: the operand of `x * 2`.
    convenience init(scalar: Double, integer: Int64, dtype: DType) {
        self.init(storage: Storage.make(count: 1, dtype: dtype), shape: [], strides: [])
        switch dtype {
        case .float32: pointer(Float.self)[0] = Float(scalar)
        case .float64: pointer(Double.self)[0] = scalar
        case .int64: pointer(Int64.self)[0] = integer
        case .bool: pointer(Bool.self)[0] = scalar != 0
        }
    }

    /// A 1-D tensor from an array (`Tensor([1, 2])` is int64, `Tensor([0.5, 1.0])` float32).
    public convenience init<T: TensorLiteralScalar>(_ values: [T], dtype: DType? = nil, requiresGrad: Bool = false) {
        self.init(flat: values, shape: [values.count], dtype: dtype ?? T.defaultDType, requiresGrad: requiresGrad)
    }

    /// A 2-D tensor from nested arrays; every row must have the same length.
    public convenience init<T: TensorLiteralScalar>(_ values: [[T]], dtype: DType? = nil, requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line) {
        let inner = Tensor.uniformLength(values.map(\.count), dim: 1, file: file, line: line)
        self.init(flat: values.flatMap { $0 }, shape: [values.count, inner], dtype: dtype ?? T.defaultDType, requiresGrad: requiresGrad)
    }

    /// A 3-D tensor from nested arrays of uniform lengths.
    public convenience init<T: TensorLiteralScalar>(_ values: [[[T]]], dtype: DType? = nil, requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line) {
        let d1 = Tensor.uniformLength(values.map(\.count), dim: 1, file: file, line: line)
        let d2 = Tensor.uniformLength(values.flatMap { $0.map(\.count) }, dim: 2, file: file, line: line)
        self.init(flat: values.flatMap { $0.flatMap { $0 } }, shape: [values.count, d1, d2], dtype: dtype ?? T.defaultDType, requiresGrad: requiresGrad)
    }

    /// A 4-D tensor from nested arrays of uniform lengths.
    public convenience init<T: TensorLiteralScalar>(_ values: [[[[T]]]], dtype: DType? = nil, requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line) {
        let d1 = Tensor.uniformLength(values.map(\.count), dim: 1, file: file, line: line)
        let d2 = Tensor.uniformLength(values.flatMap { $0.map(\.count) }, dim: 2, file: file, line: line)
        let d3 = Tensor.uniformLength(values.flatMap { $0.flatMap { $0.map(\.count) } }, dim: 3, file: file, line: line)
        self.init(flat: values.flatMap { $0.flatMap { $0.flatMap { $0 } } }, shape: [values.count, d1, d2, d3], dtype: dtype ?? T.defaultDType, requiresGrad: requiresGrad)
    }

    /// A tensor of `shape` from row-major `flat` values.
    public convenience init<T: TensorLiteralScalar>(flat: [T], shape: [Int], dtype: DType? = nil, requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line) {
        let dtype = dtype ?? T.defaultDType
        guard Shape.count(shape) == flat.count else {
            fail("Tensor(flat:shape:): \(flat.count) values cannot fill shape \(Shape.describe(shape))", file: file, line: line)
        }
        self.init(uninitializedShape: shape, dtype: dtype)
        switch dtype {
        case .int64:
            let p = pointer(Int64.self)
            for (i, v) in flat.enumerated() { p[i] = v.literalInt64 }
        default:
            for (i, v) in flat.enumerated() { storeElement(v.literalDouble, at: i) }
        }
        if requiresGrad { self.requiresGrad = true }
    }

    private static func uniformLength(_ lengths: [Int], dim: Int, file: StaticString, line: UInt) -> Int {
        guard let first = lengths.first else { return 0 }
        if let bad = lengths.first(where: { $0 != first }) {
            fail("Tensor: expected sequence of length \(first) at dim \(dim) (got \(bad))", file: file, line: line)
        }
        return first
    }
}

/// Builds a tensor as the legacy `torch.autograd.Variable(tensor, requires_grad:)` does
/// since PyTorch 0.4: a new leaf over the same data (Variable and Tensor are one type).
public func Variable(_ tensor: Tensor, requiresGrad: Bool = false) -> Tensor {
    tensor.detach().requiresGrad_(requiresGrad)
}
