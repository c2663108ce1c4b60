/// Shape arithmetic shared by tensors and ops.
enum Shape {
    /// Product of the sizes (1 for a scalar).
    @inline(__always)
    static func count(_ shape: [Int]) -> Int {
        var n = 1
        for s in shape { n &*= s }
        return n
    }

    /// Row-major strides for `shape`.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](filled: 1, count: shape.count)
        var running = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = running
            running *= max(shape[d], 1)
        }
        return strides
    }

    /// Whether `strides` walk `shape` row-major without gaps (size-1 dims are ignored).
    static func isContiguous(shape: [Int], strides: [Int]) -> Bool {
        var expected = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] != 1 {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// Maps a possibly negative dimension into `0..<rank` or stops with a message.
    static func normalize(
        _ dim: Int, rank: Int, op: String, file: StaticString = #fileID, line: UInt = #line
    ) -> Int {
        let r = max(rank, 1)
        guard dim >= -r && dim < r else {
            fail("\(op): Dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(dim))", file: file, line: line)
        }
        return dim < 0 ? dim + r : dim
    }

    /// The broadcast of two shapes (NumPy rules), or nil when they do not broadcast.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let n = max(a.count, b.count)
        var out = [Int](filled: 1, count: n)
        for i in 0..<n {
            let x = i < n - a.count ? 1 : a[i - (n - a.count)]
            let y = i < n - b.count ? 1 : b[i - (n - b.count)]
            if x == y || y == 1 { out[i] = x } else if x == 1 { out[i] = y } else { return nil }
        }
        return out
    }

    /// Strides that read a tensor of `shape`/`strides` as if expanded to `target`
    /// (zero strides on broadcast dimensions).
    static func broadcastStrides(shape: [Int], strides: [Int], to target: [Int]) -> [Int] {
        var out = [Int](filled: 0, count: target.count)
        let lead = target.count - shape.count
        for d in shape.indices where shape[d] != 1 || target[d + lead] == 1 {
            out[d + lead] = shape[d] == 1 ? 0 : strides[d]
        }
        return out
    }

    /// PyTorch's spelling of a shape in messages: `[2, 3]`.
    static func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
}

/// Stops the program with `message`, naming the caller's file and line. Used for
/// programmer errors (shape, dtype and index misuse); the message survives release builds.
func fail(_ message: String, file: StaticString, line: UInt) -> Never {
    fatalError(message, file: file, line: line)
}
