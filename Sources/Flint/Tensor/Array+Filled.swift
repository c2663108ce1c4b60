extension Array {
    /// `count` copies of `value`, as `init(repeating:count:)` makes them, built in
    /// reserved room instead: the standard library's initializer allocates through an
    /// unspecialised entry point that looks up the array's generic metadata on every call
    /// (about 500 instructions, more than the rest of a small op's shape arithmetic). No
    /// room is reserved for zero elements: that would allocate a buffer for nothing.
    @inline(__always)
    init(filled value: Element, count: Int) {
        self = []
        guard count > 0 else { return }
        reserveCapacity(count)
        for _ in 0..<count { append(value) }
    }
}
