/// The tensors a backward formula reads, in the order they were saved (the op's own
/// output last when it saved it). The first two are held inline, so unpacking them for
/// a backward pass allocates no array, and can be moved out (`take`).
struct SavedValues: RandomAccessCollection {
    /// How many tensors there are.
    let count: Int
    private var first: Tensor?
    private var second: Tensor?
    private let rest: [Tensor]

    /// `count` tensors, tensor `i` being `tensor(i)` (asked for in order).
    init(count: Int, _ tensor: (Int) throws -> Tensor) rethrows {
        self.count = count
        first = count > 0 ? try tensor(0) : nil
        second = count > 1 ? try tensor(1) : nil
        rest = count > 2 ? try (2..<count).map(tensor) : []
    }

    /// The position of the first tensor (0).
    var startIndex: Int { 0 }
    /// One past the last position.
    var endIndex: Int { count }

    /// Moves tensor `i` (0 or 1) out, leaving no reference to it here.
    mutating func take(_ i: Int) -> Tensor {
        precondition(i < 2 && i < count, "only the first two saved tensors can be taken")
        return (i == 0 ? first.take() : second.take()).unsafelyUnwrapped
    }

    /// The tensor saved `i`-th.
    subscript(i: Int) -> Tensor {
        switch i {
        case 0: first!
        case 1: second!
        default: rest[i - 2]
        }
    }
}
