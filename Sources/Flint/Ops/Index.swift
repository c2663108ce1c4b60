// Basic indexing: `x[0]`, `x[1..<3]`, `x[.all, 2]`, `x[..., 0]`, `x[.newAxis]`. Results
// are views (SelectBackward0, SliceBackward0), and assignment through a subscript
// writes into the tensor in place.

/// One entry of a subscript: an index, a range with a step, all of a dimension, a new
/// axis, or an ellipsis standing for the dimensions not named.
public enum TensorIndex: Sendable {
    /// One position (negative counts from the end); removes the dimension.
    case index(Int)
    /// Positions `start..<end` by `step`; nil bounds mean the ends.
    case range(start: Int?, end: Int?, step: Int)
    /// The whole dimension (Python's `:`); spelled `.all` in a subscript.
    case wholeDimension
    /// A new dimension of size 1 (Python's `None`); spelled `.newAxis`.
    case insertedAxis
    /// As many whole dimensions as are not otherwise named (Python's `...`); spelled `.ellipsis`.
    case remainingDimensions
}

/// Values usable inside a tensor subscript.
public protocol TensorIndexExpression {
    /// The subscript entry this value stands for.
    var tensorIndex: TensorIndex { get }
}

extension TensorIndexExpression where Self == TensorIndex {
    /// The whole dimension (Python's `:`).
    public static var all: TensorIndex { .wholeDimension }
    /// A new dimension of size 1 (Python's `None`).
    public static var newAxis: TensorIndex { .insertedAxis }
    /// The dimensions not otherwise named (Python's `...`).
    public static var ellipsis: TensorIndex { .remainingDimensions }
    /// Every `step`-th position of a dimension (Python's `::step`).
    public static func stride(_ step: Int) -> TensorIndex { .range(start: nil, end: nil, step: step) }
}

extension TensorIndex: TensorIndexExpression {
    /// Itself.
    public var tensorIndex: TensorIndex { self }
}
extension Int: TensorIndexExpression {
    /// `.index(self)`.
    public var tensorIndex: TensorIndex { .index(self) }
}
extension Range<Int>: TensorIndexExpression {
    /// `lowerBound..<upperBound`.
    public var tensorIndex: TensorIndex { .range(start: lowerBound, end: upperBound, step: 1) }
}
extension ClosedRange<Int>: TensorIndexExpression {
    /// `lowerBound...upperBound`.
    public var tensorIndex: TensorIndex { .range(start: lowerBound, end: upperBound == -1 ? nil : upperBound + 1, step: 1) }
}
extension PartialRangeFrom<Int>: TensorIndexExpression {
    /// `lowerBound...`.
    public var tensorIndex: TensorIndex { .range(start: lowerBound, end: nil, step: 1) }
}
extension PartialRangeUpTo<Int>: TensorIndexExpression {
    /// `..<upperBound`.
    public var tensorIndex: TensorIndex { .range(start: nil, end: upperBound, step: 1) }
}
extension PartialRangeThrough<Int>: TensorIndexExpression {
    /// `...upperBound`.
    public var tensorIndex: TensorIndex { .range(start: nil, end: upperBound == -1 ? nil : upperBound + 1, step: 1) }
}

extension Tensor {
    /// The view selected by `indices`; assigning a tensor writes into it in place
    /// (`x[0] = y` is `x[0].copy_(y)`), broadcasting the value.
    public subscript(_ indices: any TensorIndexExpression..., file file: StaticString = #fileID, line line: UInt = #line) -> Tensor {
        get { indexed(indices.map(\.tensorIndex), file: file, line: line) }
        set { indexed(indices.map(\.tensorIndex), file: file, line: line).copy_(newValue, file: file, line: line) }
    }

    /// Applies subscript entries left to right, as PyTorch's basic indexing.
    func indexed(_ indices: [TensorIndex], file: StaticString, line: UInt) -> Tensor {
        let named = indices.filter { if case .insertedAxis = $0 { return false }; if case .remainingDimensions = $0 { return false }; return true }.count
        guard named <= rank else { fail("index: too many indices for tensor of dimension \(rank)", file: file, line: line) }
        var result = self
        var dim = 0
        for entry in indices {
            switch entry {
            case .index(let i):
                result = result.select(dim: dim, index: i, file: file, line: line)
            case .range(let start, let end, let step):
                let size = result.shape[dim]
                if !(step == 1 && (start ?? 0) == 0 && (end.map { $0 >= size } ?? true)) {
                    result = result.slice(dim: dim, start: start, end: end, step: step, file: file, line: line)
                }
                dim += 1
            case .wholeDimension:
                dim += 1
            case .insertedAxis:
                result = result.unsqueeze(dim: dim)
                dim += 1
            case .remainingDimensions:
                dim += rank - named
            }
        }
        return result
    }

    /// The slice at `index` along `dim`, removing that dimension (SelectBackward0).
    public func select(dim: Int, index: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard rank > 0 else { fail("select() cannot be applied to a 0-dim tensor.", file: file, line: line) }
        let d = Shape.normalize(dim, rank: rank, op: "select", file: file, line: line)
        let size = shape[d]
        guard index >= -size && index < size else {
            fail("select: index \(index) is out of bounds for dimension \(d) with size \(size)", file: file, line: line)
        }
        let i = index < 0 ? index + size : index
        var newShape = shape, newStrides = strides
        newShape.remove(at: d)
        newStrides.remove(at: d)
        let out = viewing(shape: newShape, strides: newStrides, offset: offset + i * strides[d])
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded("SelectBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in
            [Tensor.placing(c.grad, into: inputShape, name: "SelectBackwardBackward0") { $0.select(dim: d, index: i) }]
        }
    }

    /// Positions `start..<end` by `step` along `dim`, clamped to the size as Python
    /// slices are (SliceBackward0).
    public func slice(dim: Int, start: Int? = nil, end: Int? = nil, step: Int = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard rank > 0 else { fail("slice() cannot be applied to a 0-dim tensor.", file: file, line: line) }
        guard step > 0 else { fail("slice step must be positive", file: file, line: line) }
        let d = Shape.normalize(dim, rank: rank, op: "slice", file: file, line: line)
        let size = shape[d]
        func clamp(_ v: Int?, _ fallback: Int) -> Int {
            guard var v else { return fallback }
            if v < 0 { v += size }
            return Swift.min(Swift.max(v, 0), size)
        }
        let lo = clamp(start, 0), hi = Swift.max(clamp(end, size), lo)
        var newShape = shape, newStrides = strides
        newShape[d] = (hi - lo + step - 1) / step
        newStrides[d] = strides[d] * step
        let out = viewing(shape: newShape, strides: newStrides, offset: offset + lo * strides[d])
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded("SliceBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in
            [Tensor.placing(c.grad, into: inputShape, name: "SliceBackwardBackward0") { $0.slice(dim: d, start: lo, end: hi, step: step) }]
        }
    }

    /// `length` positions from `start` along `dim` (`torch.narrow`, a slice).
    public func narrow(dim: Int, start: Int, length: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        slice(dim: dim, start: start, end: start + length, file: file, line: line)
    }

    /// The backward of a view op: zeros of `shape` with `grad` written where `view`
    /// reads. It is itself differentiable: its backward applies `view` again.
    static func placing(_ grad: Tensor, into shape: [Int], name: StaticString, view: @escaping (Tensor) -> Tensor) -> Tensor {
        let out = Tensor.zeros(shape, dtype: grad.dtype)
        noGrad { view(out).assign(from: grad) }
        guard recording(grad) else { return out }
        return out.recorded(name, inputs: [grad]) { c in [view(c.grad)] }
    }
}
