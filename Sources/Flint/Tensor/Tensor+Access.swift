extension Tensor {
    /// The value of a one-element tensor, as a `Double` (`torch.Tensor.item`).
    public func item(file: StaticString = #fileID, line: UInt = #line) -> Double {
        guard count == 1 else {
            fail("item(): a Tensor with \(count) elements cannot be converted to Scalar", file: file, line: line)
        }
        return element(atLinear: 0)
    }

    /// The elements in row-major order, converted to `T` (`scalars(as: Double.self)`
    /// works on float32 and vice versa).
    public func scalars<T: TensorElement>(as type: T.Type) -> [T] {
        let source = contiguousData()
        if source.dtype == T.dtype {
            return Array(UnsafeBufferPointer(start: source.pointer(T.self), count: count))
        }
        return (0..<count).map { T(flintDouble: source.element(atLinear: $0)) }
    }

    /// The element at row-major position `index`, as a `Double`.
    func element(atLinear index: Int) -> Double {
        var rest = index, position = offset
        for d in stride(from: rank - 1, through: 0, by: -1) {
            position += (rest % shape[d]) * strides[d]
            rest /= shape[d]
        }
        switch dtype {
        case .float32: return Double(storage.pointer(as: Float.self)[position])
        case .float64: return storage.pointer(as: Double.self)[position]
        case .int64: return Double(storage.pointer(as: Int64.self)[position])
        case .bool: return storage.pointer(as: Bool.self)[position] ? 1 : 0
        }
    }

    /// This tensor if already contiguous, else a contiguous copy (not recorded).
    func contiguousData() -> Tensor {
        isContiguous ? self : copyData(to: dtype)
    }

    /// Whether this is a matrix of `shape` stored column by column (a transposed
    /// contiguous matrix, or a block of one: element (i, j) at `i + j·strides[1]`), large
    /// enough that a blocked transpose beats an element-by-element walk.
    func isTransposedMatrix(shape: [Int]) -> Bool {
        self.shape == shape && rank == 2 && strides[0] == 1 && strides[1] >= shape[0] && shape[0] > 1 && shape[1] > 1
            && count >= Transpose.minimumCount
    }

    /// A contiguous copy of the data converted to `target` (not recorded).
    func copyData(to target: DType) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: target, like: self)
        out.assign(from: self)
        return out
    }

    /// Copies `source` (broadcast to this shape, converted to this dtype) into this
    /// tensor's region. Not recorded and no version bump: callers handle both.
    func assign(from source: Tensor) {
        if dtype == .float32, source.dtype == .float32, isContiguous, source.isTransposedMatrix(shape: shape) {
            Transpose.copy(rows: shape[0], columns: shape[1], source.pointer(Float.self), columnStride: source.strides[1], into: pointer(Float.self))
            return
        }
        let contiguous = source.shape == shape && source.isContiguous && isContiguous
        func run<F: UnaryFunction>(_ f: F) where F.Input: TensorElement, F.Output: TensorElement {
            if contiguous {
                Elementwise.mapContiguous(count: count, source.pointer(F.Input.self), into: pointer(F.Output.self), f)
            } else {
                let srcStrides = Shape.broadcastStrides(shape: source.shape, strides: source.strides, to: shape)
                Elementwise.map(shape: shape, source.pointer(F.Input.self), srcStrides, into: pointer(F.Output.self), strides, f)
            }
        }
        func convert<S: TensorElement>(from _: S.Type) {
            switch dtype {
            case .float32: run(Convert<S, Float>())
            case .float64: run(Convert<S, Double>())
            case .int64: run(Convert<S, Int64>())
            case .bool: run(Convert<S, Bool>())
            }
        }
        switch (source.dtype, dtype) {
        case (.float32, .float32): run(Identity<Float>())
        case (.float64, .float64): run(Identity<Double>())
        case (.int64, .int64): run(Identity<Int64>())
        case (.bool, .bool): run(Identity<Bool>())
        case (.float32, _): convert(from: Float.self)
        case (.float64, _): convert(from: Double.self)
        case (.int64, _): convert(from: Int64.self)
        case (.bool, _): convert(from: Bool.self)
        }
    }
}
