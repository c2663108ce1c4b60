/// Reduction kernels over strided buffers.
enum Reduction {
    /// Reduces `x` over the dimensions flagged in `reduced`, writing one result per
    /// kept position to the contiguous `out` (kept dimensions in their original order).
    /// `combine` folds one element into an accumulator and `merge` joins two partial
    /// accumulators (used when one reduction is split across threads).
    @inline(__always)
    static func reduce<T, Acc, R>(
        shape: [Int], _ x: UnsafePointer<T>, _ xStrides: [Int], reduced: [Bool],
        into out: UnsafeMutablePointer<R>,
        initial: Acc, _ combine: (Acc, T) -> Acc, merge: (Acc, Acc) -> Acc,
        finish: (Acc) -> R
    ) {
        var keptShape: [Int] = [], keptStrides: [Int] = [], innerShape: [Int] = [], innerStrides: [Int] = []
        for d in shape.indices {
            if reduced[d] { innerShape.append(shape[d]); innerStrides.append(xStrides[d]) } else { keptShape.append(shape[d]); keptStrides.append(xStrides[d]) }
        }
        let inner = StridedLoop(shape: innerShape, operandStrides: [innerStrides])
        let innerStride = inner.innerStrides[0]
        let innerIsOneRun = inner.shape.count == 1

        @inline(__always)
        func fold(_ acc: Acc, from base: UnsafePointer<T>, _ range: Range<Int>) -> Acc {
            var acc = acc
            if innerIsOneRun {
                let p = base + range.lowerBound &* innerStride
                if innerStride == 1 {
                    for i in 0..<range.count { acc = combine(acc, p[i]) }
                } else {
                    for i in 0..<range.count { acc = combine(acc, p[i &* innerStride]) }
                }
            } else {
                inner.forEachRun(in: range) { o, n in
                    let p = base + o[0]
                    for i in 0..<n { acc = combine(acc, p[i &* innerStride]) }
                }
            }
            return acc
        }

        let outCount = keptShape.reduce(1, *)
        if outCount == 1 {
            let partials = Parallel.map(inner.count) { range in fold(initial, from: x, range) }
            out[0] = finish(partials.dropFirst().reduce(partials[0], merge))
            return
        }
        let outer = StridedLoop(shape: keptShape, operandStrides: [keptStrides])
        let outerStride = outer.innerStrides[0]
        Parallel.forRange(outCount, costPerItem: inner.count) { range in
            var index = range.lowerBound
            outer.forEachRun(in: range) { o, n in
                for j in 0..<n {
                    out[index] = finish(fold(initial, from: x + o[0] + j &* outerStride, 0..<inner.count))
                    index += 1
                }
            }
        }
    }

    /// Float32 sums, in double precision, of a contiguous `[leading, kept, trailing]`
    /// block reduced over its first and last dimensions into `kept` outputs (a bias
    /// gradient: `[N, C, H, W]` summed over N, H and W, or `[N, C]` over N). Each output
    /// adds `leading` runs of `trailing` contiguous elements, summed by the vector kernel
    /// (`VectorMath.sum`, a plain loop without one); with `trailing` 1 the rows are added
    /// side by side, a vector of outputs at a time. The element-by-element walk of
    /// `reduce` was one dependent double addition per element (a tenth of a small CNN's
    /// training step).
    static func sumBlocks(_ x: UnsafePointer<Float>, leading: Int, kept: Int, trailing: Int, into out: UnsafeMutablePointer<Float>) {
        func sum(_ run: UnsafePointer<Float>, _ count: Int) -> Double {
            VectorMath.sum(run, count: count) ?? (0..<count).reduce(0.0) { $0 + Double(run[$1]) }
        }
        Parallel.forRange(kept, costPerItem: leading * trailing) { range in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: range.count) { buffer in
                let totals = buffer.baseAddress!
                totals.initialize(repeating: 0, count: range.count)
                for r in 0..<leading {
                    let row = x + (r * kept + range.lowerBound) * trailing
                    if trailing == 1 {
                        for k in 0..<range.count { totals[k] += Double(row[k]) }
                    } else {
                        for k in 0..<range.count { totals[k] += sum(row + k * trailing, trailing) }
                    }
                }
                for k in 0..<range.count { out[range.lowerBound + k] = Float(totals[k]) }
            }
        }
    }

    /// For each kept position, the index along dimension `dim` of the element that
    /// `isBetter(candidate, current)` prefers (the first one on ties), as Int64.
    static func argReduce<T>(
        shape: [Int], _ x: UnsafePointer<T>, _ xStrides: [Int], dim: Int,
        into out: UnsafeMutablePointer<Int64>, _ isBetter: (T, T) -> Bool
    ) {
        var keptShape = shape, keptStrides = xStrides
        keptShape.remove(at: dim)
        keptStrides.remove(at: dim)
        let n = shape[dim], s = xStrides[dim]
        let outer = StridedLoop(shape: keptShape, operandStrides: [keptStrides])
        let outerStride = outer.innerStrides[0]
        var index = 0
        outer.forEachRun(in: 0..<outer.count) { o, runLength in
            for j in 0..<runLength {
                let p = x + o[0] + j &* outerStride
                var best = p[0], bestIndex = 0
                for i in 1..<max(n, 1) where isBetter(p[i &* s], best) {
                    best = p[i &* s]
                    bestIndex = i
                }
                out[index] = Int64(bestIndex)
                index += 1
            }
        }
    }
}

extension Parallel {
    /// Splits `0..<count` into per-thread ranges (one range when small) and returns each
    /// range's result, in order.
    static func map<R>(_ count: Int, grain: Int = elementwiseGrain, _ body: (Range<Int>) -> R) -> [R] {
        let chunks = (numThreads <= 1 || count < grain) ? 1 : min(numThreads, count)
        if chunks == 1 { return [body(0..<count)] }
        var results = [R?](repeating: nil, count: chunks)
        results.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            forRange(chunks, grain: 0) { range in
                for c in range { slots[c] = body((count * c / chunks)..<(count * (c + 1) / chunks)) }
            }
        }
        return results.map { $0! }
    }
}
