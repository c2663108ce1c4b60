/// Log-softmax over the rows of a contiguous `[rows, columns]` buffer and its gradient,
/// each in one call instead of the six elementwise and reduction ops of the composed
/// formula (a classifier's loss is a handful of rows of a few classes, where each op's
/// dispatch costs more than its arithmetic). The operations and their order are the
/// composed formula's: the shift by the row's maximum, exp (vectorised for float32),
/// the row sum accumulated in double and rounded, its log, the subtraction.
enum RowSoftmax {
    /// `out = x - max - log(sum(exp(x - max)))` for each row; a NaN in a row makes the
    /// row NaN.
    static func logSoftmax<T: FloatingTensorElement>(rows: Int, columns: Int, _ x: UnsafePointer<T>, into out: UnsafeMutablePointer<T>) {
        guard columns > 0 else { return }
        for r in 0..<rows {
            let row = x + r * columns, shifted = out + r * columns
            var top = row[0]
            for j in 1..<columns where !(row[j] <= top) { top = top.isNaN ? top : row[j] }
            for j in 0..<columns { shifted[j] = row[j] - top }
        }
        BufferCache.withScratch(of: T.self, count: rows * columns) { e in
            exponentials(UnsafePointer(out), into: e, count: rows * columns)
            for r in 0..<rows {
                let total = T(rowSum(e + r * columns, count: columns)), shifted = out + r * columns
                let logTotal = T.log(total)
                for j in 0..<columns { shifted[j] = shifted[j] - logTotal }
            }
        }
    }

    /// `out = g - exp(y) * sum(g)` for each row, `y` the log-softmax output.
    static func logSoftmaxBackward<T: FloatingTensorElement>(
        rows: Int, columns: Int, grad g: UnsafePointer<T>, output y: UnsafePointer<T>, into out: UnsafeMutablePointer<T>
    ) {
        BufferCache.withScratch(of: T.self, count: rows * columns) { e in
            exponentials(y, into: e, count: rows * columns)
            for r in 0..<rows {
                let offset = r * columns, total = T(rowSum(g + offset, count: columns))
                for j in offset..<offset + columns { out[j] = g[j] - e[j] * total }
            }
        }
    }

    /// `exp` elementwise: the vector kernel for float32 where the CPU has one, else libm.
    private static func exponentials<T: FloatingTensorElement>(_ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, count: Int) {
        if T.self == Float.self,
           VectorMath.apply(.exp, UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                            into: UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), count: count) {
            return
        }
        for i in 0..<count { y[i] = T.exp(x[i]) }
    }

    /// The sum of `count` values accumulated in double.
    private static func rowSum<T: FloatingTensorElement>(_ x: UnsafePointer<T>, count: Int) -> Double {
        var total = 0.0
        for j in 0..<count { total += Double(x[j]) }
        return total
    }
}
