/// The element type of a tensor, as PyTorch's `torch.dtype`.
public enum DType: Sendable, Equatable, CustomStringConvertible {
    /// 32-bit IEEE float, the default for floating-point data.
    case float32
    /// 64-bit IEEE float.
    case float64
    /// 64-bit signed integer, the default for integer data.
    case int64
    /// Boolean, the result type of comparisons.
    case bool

    /// Bytes one element occupies.
    public var byteSize: Int {
        switch self {
        case .float32: 4
        case .float64, .int64: 8
        case .bool: 1
        }
    }

    /// Whether the type holds floating-point values (and so can require gradients).
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// The name PyTorch prints, without its `torch.` prefix.
    public var description: String {
        switch self {
        case .float32: "float32"
        case .float64: "float64"
        case .int64: "int64"
        case .bool: "bool"
        }
    }

    /// PyTorch's legacy tensor type name (`torch.FloatTensor`), used in error messages.
    var legacyTypeName: String {
        switch self {
        case .float32: "torch.FloatTensor"
        case .float64: "torch.DoubleTensor"
        case .int64: "torch.LongTensor"
        case .bool: "torch.BoolTensor"
        }
    }

    /// Rank in PyTorch's promotion lattice: bool < int64 < float32 < float64.
    var promotionRank: Int {
        switch self {
        case .bool: 0
        case .int64: 1
        case .float32: 2
        case .float64: 3
        }
    }

    /// Category used when a zero-dimensional operand meets a dimensioned one.
    var category: Int {
        switch self {
        case .bool: 0
        case .int64: 1
        case .float32, .float64: 2
        }
    }

    /// The larger of two types in the promotion lattice.
    static func promote(_ a: DType, _ b: DType) -> DType {
        a.promotionRank >= b.promotionRank ? a : b
    }
}
