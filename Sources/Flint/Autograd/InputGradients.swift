/// What a node's backward returns: one gradient per edge, in edge order (nil where an
/// input gets none). Up to three are held inline, so a backward formula's `[da, db]`
/// literal is built on the stack and no array is allocated per node; more go to an array.
struct InputGradients: ExpressibleByArrayLiteral {
    /// How many gradients there are.
    let count: Int
    private var first: Tensor?
    private var second: Tensor?
    private var third: Tensor?
    private var rest: [Tensor?]

    /// The gradients listed.
    @inline(__always)
    init(arrayLiteral gradients: Tensor?...) {
        self.init(gradients)
    }

    /// The gradients of `gradients`, in order.
    @inline(__always)
    init(_ gradients: [Tensor?]) {
        count = gradients.count
        first = count > 0 ? gradients[0] : nil
        second = count > 1 ? gradients[1] : nil
        third = count > 2 ? gradients[2] : nil
        rest = []
        if count > 3 {
            // Element by element: a slice of `gradients` would let its buffer escape, and
            // a literal's buffer would no longer be built on the stack.
            rest.reserveCapacity(count - 3)
            for i in 3..<count { rest.append(gradients[i]) }
        }
    }

    /// `count` gradients, all nil.
    init(noneFor count: Int) {
        self.count = count
        rest = count > 3 ? [Tensor?](filled: nil, count: count - 3) : []
    }

    /// The gradient for edge `i`.
    subscript(i: Int) -> Tensor? {
        get {
            switch i {
            case 0: first
            case 1: second
            case 2: third
            default: rest[i - 3]
            }
        }
        set {
            switch i {
            case 0: first = newValue
            case 1: second = newValue
            case 2: third = newValue
            default: rest[i - 3] = newValue
            }
        }
    }

    /// The gradients as an array (for hooks, which see PyTorch's tuple).
    var array: [Tensor?] { (0..<count).map { self[$0] } }
}
