/// Walks up to four operands of one shape together, each with its own strides (in
/// elements; 0 for broadcast dimensions). Adjacent dimensions that are contiguous for
/// every operand are merged, so a contiguous walk is a single run.
struct StridedLoop {
    /// The merged shape, never empty.
    let shape: [Int]
    /// Per merged dimension, the stride of each operand.
    let strides: [SIMD4<Int>]
    /// Total number of elements.
    let count: Int

    /// Describes a walk over `shape`; `operandStrides[k]` are operand k's strides.
    init(shape: [Int], operandStrides: [[Int]]) {
        var dims: [(size: Int, stride: SIMD4<Int>)] = []
        for d in shape.indices where shape[d] != 1 {
            var s = SIMD4<Int>(repeating: 0)
            for k in operandStrides.indices { s[k] = operandStrides[k][d] }
            if let last = dims.last, last.stride == s &* shape[d] {
                dims[dims.count - 1] = (last.size * shape[d], s)
            } else {
                dims.append((shape[d], s))
            }
        }
        if dims.isEmpty { dims = [(1, SIMD4<Int>(repeating: 0))] }
        self.shape = dims.map(\.size)
        self.strides = dims.map(\.stride)
        self.count = shape.reduce(1, *)
    }

    /// The strides of the innermost merged dimension.
    var innerStrides: SIMD4<Int> { strides[strides.count - 1] }

    /// Calls `body(offsets, length)` for each run of consecutive innermost elements
    /// inside the linear element range `range`; offsets are each operand's element
    /// offset at the start of the run, and the run advances by `innerStrides`.
    @inline(__always)
    func forEachRun(in range: Range<Int>, _ body: (SIMD4<Int>, Int) -> Void) {
        if range.isEmpty { return }
        let last = shape.count - 1
        let inner = shape[last]
        var index = [Int](filled: 0, count: shape.count)
        var offsets = SIMD4<Int>(repeating: 0)
        var rest = range.lowerBound
        for d in stride(from: last, through: 0, by: -1) {
            index[d] = rest % shape[d]
            rest /= shape[d]
            offsets &+= strides[d] &* index[d]
        }
        var position = range.lowerBound
        while position < range.upperBound {
            let length = min(inner - index[last], range.upperBound - position)
            body(offsets, length)
            position += length
            index[last] += length
            offsets &+= strides[last] &* length
            var d = last
            while d > 0 && index[d] == shape[d] {
                offsets &-= strides[d] &* shape[d]
                index[d] = 0
                d -= 1
                index[d] += 1
                offsets &+= strides[d]
            }
        }
    }
}
