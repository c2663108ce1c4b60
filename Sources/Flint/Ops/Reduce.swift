// Reductions: sum, mean, max, min, norm, argmax/argmin, and the sum-to-shape that
// undoes broadcasting in backward formulas.

extension Tensor {
    /// Sum of all elements (SumBackward0); integer and bool tensors sum to int64.
    public func sum() -> Tensor {
        let out = ReduceKernel.sum.run(self, reduced: allDimensionsReduced, outShape: [])
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded("SumBackward0", inputs: [self]) { c in [c.grad.expand(inputShape)] }
    }

    /// Sum over `dim` (SumBackward1), keeping it as size 1 when `keepDim`.
    public func sum(dim: Int, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        sum(dims: [dim], keepDim: keepDim, file: file, line: line)
    }

    /// Sum over `dims` (SumBackward1); an empty list sums everything.
    public func sum(dims: [Int], keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let (reduced, outShape) = reduction(dims, keepDim: keepDim, op: "sum", file: file, line: line)
        let out = ReduceKernel.sum.run(self, reduced: reduced, outShape: outShape)
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded("SumBackward1", inputs: [self], location: SourceLocation(file: file, line: line)) { c in
            [c.grad.unreducing(reduced, keepDim: keepDim).expand(inputShape)]
        }
    }

    /// Mean of all elements (MeanBackward0); needs a floating-point tensor.
    public func mean(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        requireFloat("mean", file: file, line: line)
        let n = Double(count)
        let out = ReduceKernel.sum.run(self, reduced: allDimensionsReduced, outShape: []).divided(by: n)
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded("MeanBackward0", inputs: [self], location: SourceLocation(file: file, line: line)) { c in
            guard !Tensor.recording(c.grad), c.grad.count == 1, c.grad.dtype.isFloatingPoint else { return [c.grad.expand(inputShape) / n] }
            let spread = Tensor(uninitializedShape: inputShape, dtype: c.grad.dtype)
            func fill<T: FloatingTensorElement>(_: T.Type) {
                Elementwise.fill(shape: inputShape, spread.pointer(T.self), spread.strides, value: c.grad.pointer(T.self)[0] / T(flintDouble: n))
            }
            if c.grad.dtype == .float32 { fill(Float.self) } else { fill(Double.self) }
            return [spread]
        }
    }

    /// Mean over `dim` (MeanBackward1).
    public func mean(dim: Int, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        mean(dims: [dim], keepDim: keepDim, file: file, line: line)
    }

    /// Mean over `dims` (MeanBackward1); an empty list averages everything.
    public func mean(dims: [Int], keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        requireFloat("mean", file: file, line: line)
        let (reduced, outShape) = reduction(dims, keepDim: keepDim, op: "mean", file: file, line: line)
        let n = Double(zip(shape, reduced).reduce(1) { $0 * ($1.1 ? $1.0 : 1) })
        let out = ReduceKernel.sum.run(self, reduced: reduced, outShape: outShape).divided(by: n)
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded("MeanBackward1", inputs: [self], location: SourceLocation(file: file, line: line)) { c in
            [c.grad.unreducing(reduced, keepDim: keepDim).expand(inputShape) / n]
        }
    }

    /// The largest element (MaxBackward1: the gradient is shared evenly by all maxima).
    public func max(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        extremum(.max, "MaxBackward1", op: "max", file: file, line: line)
    }

    /// The smallest element (MinBackward1).
    public func min(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        extremum(.min, "MinBackward1", op: "min", file: file, line: line)
    }

    private func extremum(_ kernel: ReduceKernel, _ name: StaticString, op: String, file: StaticString, line: UInt) -> Tensor {
        guard count > 0 else {
            fail("\(op)(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.", file: file, line: line)
        }
        let out = kernel.run(self, reduced: allDimensionsReduced, outShape: [])
        guard Tensor.recording(self) else { return out }
        let inputShape = shape
        return out.recorded(name, inputs: [self], saving: [self], savingOutput: true, location: SourceLocation(file: file, line: line)) { c in
            let mask = (c.saved[0] .== c.saved[1]).to(c.grad.dtype)
            return [(c.grad / mask.sum()).expand(inputShape) * mask]
        }
    }

    /// The Euclidean (2-)norm of all elements (LinalgVectorNormBackward0).
    public func norm(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        requireFloat("linalg.vector_norm", file: file, line: line)
        let out = ReduceKernel.norm.run(self, reduced: allDimensionsReduced, outShape: [])
        guard Tensor.recording(self) else { return out }
        return out.recorded("LinalgVectorNormBackward0", inputs: [self], saving: [self], savingOutput: true, location: SourceLocation(file: file, line: line)) { c in
            let (x, y) = (c.saved[0], c.saved[1])
            let scale = Tensor.where(y .== 0, Tensor.zeros([], dtype: c.grad.dtype), c.grad / y)
            return [x * scale]
        }
    }

    /// Index of the largest element along `dim`, or in the flattened tensor when `dim` is
    /// nil, as int64 (`torch.argmax`; the first index on ties).
    public func argmax(dim: Int? = nil, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        argExtremum(dim: dim, keepDim: keepDim, largest: true, file: file, line: line)
    }

    /// Index of the smallest element along `dim` or overall, as int64 (`torch.argmin`).
    public func argmin(dim: Int? = nil, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        argExtremum(dim: dim, keepDim: keepDim, largest: false, file: file, line: line)
    }

    private func argExtremum(dim: Int?, keepDim: Bool, largest: Bool, file: StaticString, line: UInt) -> Tensor {
        guard let dim else {
            let flat = contiguousData()
            let source = Tensor(storage: flat.storage, shape: [count], strides: [1], offset: flat.offset)
            let out = ReduceKernel.argExtremum(source, dim: 0, largest: largest, outShape: [])
            return keepDim ? Tensor(storage: out.storage, shape: [Int](filled: 1, count: rank), strides: [Int](filled: 1, count: rank)) : out
        }
        let d = Shape.normalize(dim, rank: rank, op: largest ? "argmax" : "argmin", file: file, line: line)
        if rank == 0 { return Tensor.zeros([], dtype: .int64) }
        var outShape = shape
        if keepDim { outShape[d] = 1 } else { outShape.remove(at: d) }
        return ReduceKernel.argExtremum(self, dim: d, largest: largest, outShape: outShape)
    }

    /// Sums a broadcast gradient back to `target` (PyTorch's `sum_to_size`).
    func sumTo(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var dims = Array(0..<lead)
        for (i, size) in target.enumerated() where size == 1 && shape[lead + i] != 1 { dims.append(lead + i) }
        var result = dims.isEmpty ? self : sum(dims: dims, keepDim: true)
        if lead > 0 { result = result.reshape(target) }
        return result
    }

    /// Re-inserts the reduced dimensions as size 1, undoing a reduction without `keepDim`.
    func unreducing(_ reduced: [Bool], keepDim: Bool) -> Tensor {
        if keepDim { return self }
        var shape: [Int] = []
        var source = self.shape.makeIterator()
        for flag in reduced { shape.append(flag ? 1 : source.next()!) }
        return reshape(shape)
    }

    /// All dimensions flagged as reduced, for a full reduction: shared arrays up to
    /// rank 8, so a full sum, mean or norm allocates no flags.
    var allDimensionsReduced: [Bool] {
        rank < Tensor.allDimensionsReducedByRank.count ? Tensor.allDimensionsReducedByRank[rank] : [Bool](filled: true, count: rank)
    }

    private static let allDimensionsReducedByRank: [[Bool]] = (0...8).map { [Bool](filled: true, count: $0) }

    /// The flags of the reduced dimensions and the output shape of a reduction.
    func reduction(_ dims: [Int], keepDim: Bool, op: String, file: StaticString, line: UInt) -> ([Bool], [Int]) {
        var reduced = [Bool](filled: dims.isEmpty, count: rank)
        for dim in dims {
            let d = Shape.normalize(dim, rank: rank, op: op, file: file, line: line)
            if rank > 0 {
                if reduced[d] { fail("\(op): dim \(d) appears multiple times in the list of dims", file: file, line: line) }
                reduced[d] = true
            }
        }
        let outShape = keepDim ? shape.enumerated().map { reduced[$0.offset] ? 1 : $0.element } : shape.enumerated().filter { !reduced[$0.offset] }.map(\.element)
        return (reduced, outShape)
    }

    /// Stops unless the dtype is floating point (mean, norm and the like need it).
    func requireFloat(_ op: String, file: StaticString, line: UInt) {
        guard dtype.isFloatingPoint else {
            fail("\(op)(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: \(dtype == .int64 ? "Long" : "Bool")", file: file, line: line)
        }
    }

    /// A reduction's fresh, contiguous floating-point result divided by `divisor` in
    /// place, in its own dtype as dividing by a wrapped number would (not recorded; no
    /// operand tensor for the divisor).
    func divided(by divisor: Double) -> Tensor {
        func divide<T: FloatingTensorElement>(_: T.Type) {
            let (p, d) = (pointer(T.self), T(flintDouble: divisor))
            for i in 0..<count { p[i] /= d }
        }
        if dtype == .float32 { divide(Float.self) } else { divide(Double.self) }
        return self
    }
}

extension Tensor {
    /// Whether every element is nonzero, as a 0-d bool tensor (`torch.all`).
    public func all() -> Tensor {
        ReduceKernel.min.run(to(.bool), reduced: allDimensionsReduced, outShape: [])
    }

    /// Whether any element is nonzero, as a 0-d bool tensor (`torch.any`).
    public func any() -> Tensor {
        ReduceKernel.max.run(to(.bool), reduced: allDimensionsReduced, outShape: [])
    }
}
