/// An elementwise function of one value, as a type, so kernels specialise and inline it
/// even inside the bodies they hand to other threads (closures would be opaque there).
protocol UnaryFunction {
    associatedtype Input
    associatedtype Output
    func callAsFunction(_ x: Input) -> Output
}

/// An elementwise function of two values, as a type (see `UnaryFunction`).
protocol BinaryFunction {
    associatedtype First
    associatedtype Second
    associatedtype Output
    func callAsFunction(_ a: First, _ b: Second) -> Output
}

/// `f(b, a)`: a binary function with its operands swapped.
struct Swapped<F: BinaryFunction>: BinaryFunction {
    let f: F
    init(_ f: F) { self.f = f }
    @inline(__always) func callAsFunction(_ a: F.Second, _ b: F.First) -> F.Output { f(b, a) }
}

/// Elementwise kernels over strided buffers. Each walks the operands with a
/// `StridedLoop`, takes a tight unit-stride path when every operand is contiguous in the
/// innermost dimension, and splits large work across threads.
enum Elementwise {
    /// `out[i] = f(a[i])` for `count` contiguous elements.
    @inline(__always)
    static func mapContiguous<F: UnaryFunction>(count: Int, _ a: UnsafePointer<F.Input>, into out: UnsafeMutablePointer<F.Output>, _ f: F) {
        if UnsafeRawPointer(a) == UnsafeRawPointer(UnsafeMutableRawPointer(out)) {
            // In place: read through `out` (see `zipInPlace`).
            Parallel.forRange(count) { range in
                let inPlace = UnsafeMutableRawPointer(out).assumingMemoryBound(to: F.Input.self)
                for i in range { out[i] = f(inPlace[i]) }
            }
            return
        }
        Parallel.forRange(count) { range in
            for i in range { out[i] = f(a[i]) }
        }
    }

    /// `out[i] = f(a[i], b[i])` for `count` contiguous elements; a single-element `a`
    /// or `b` (`aIsScalar`, `bIsScalar`) is broadcast.
    @inline(__always)
    static func zipContiguous<F: BinaryFunction>(
        count: Int, _ a: UnsafePointer<F.First>, aIsScalar: Bool, _ b: UnsafePointer<F.Second>, bIsScalar: Bool,
        into out: UnsafeMutablePointer<F.Output>, _ f: F
    ) {
        if UnsafeRawPointer(a) == UnsafeRawPointer(UnsafeMutableRawPointer(out)) && !aIsScalar {
            // Written over `a` (the result replacing a dead operand).
            zipInPlace(count: count, over: out, b, bIsScalar: bIsScalar, f)
            return
        }
        if UnsafeRawPointer(b) == UnsafeRawPointer(UnsafeMutableRawPointer(out)) && !bIsScalar {
            // Written over `b` (a gradient written over a dead saved tensor).
            zipInPlace(count: count, over: out, a, bIsScalar: aIsScalar, Swapped(f))
            return
        }
        Parallel.forRange(count) { range in
            if bIsScalar {
                let bv = b[0]
                for i in range { out[i] = f(a[i], bv) }
            } else if aIsScalar {
                let av = a[0]
                for i in range { out[i] = f(av, b[i]) }
            } else {
                for i in range { out[i] = f(a[i], b[i]) }
            }
        }
    }

    /// `out[i] = f(out[i], b[i])` for `count` contiguous elements (a single-element `b`
    /// broadcast): a loop of its own that reads through `out`, since two equal pointers
    /// fail the compiler's overlap check and would run the scalar loop. The read pointer
    /// is derived from `out` inside the threads' body: two pointers captured separately
    /// are two values there, and the check would come back.
    @inline(__always)
    private static func zipInPlace<F: BinaryFunction>(
        count: Int, over out: UnsafeMutablePointer<F.Output>, _ b: UnsafePointer<F.Second>, bIsScalar: Bool, _ f: F
    ) {
        Parallel.forRange(count) { range in
            let inPlace = UnsafeMutableRawPointer(out).assumingMemoryBound(to: F.First.self)
            if bIsScalar {
                let bv = b[0]
                for i in range { out[i] = f(inPlace[i], bv) }
            } else {
                for i in range { out[i] = f(inPlace[i], b[i]) }
            }
        }
    }

    /// `out[i] = f(a[i])` over `shape`.
    @inline(__always)
    static func map<F: UnaryFunction>(
        shape: [Int],
        _ a: UnsafePointer<F.Input>, _ aStrides: [Int],
        into out: UnsafeMutablePointer<F.Output>, _ outStrides: [Int],
        _ f: F
    ) {
        let loop = StridedLoop(shape: shape, operandStrides: [outStrides, aStrides])
        let s = loop.innerStrides
        Parallel.forRange(loop.count) { range in
            loop.forEachRun(in: range) { o, n in
                let po = out + o[0], pa = a + o[1]
                if s[0] == 1 && s[1] == 1 {
                    for i in 0..<n { po[i] = f(pa[i]) }
                } else {
                    for i in 0..<n { po[i &* s[0]] = f(pa[i &* s[1]]) }
                }
            }
        }
    }

    /// `out[i] = f(a[i], b[i])` over `shape` (broadcast operands carry zero strides).
    @inline(__always)
    static func zip<F: BinaryFunction>(
        shape: [Int],
        _ a: UnsafePointer<F.First>, _ aStrides: [Int],
        _ b: UnsafePointer<F.Second>, _ bStrides: [Int],
        into out: UnsafeMutablePointer<F.Output>, _ outStrides: [Int],
        _ f: F
    ) {
        let loop = StridedLoop(shape: shape, operandStrides: [outStrides, aStrides, bStrides])
        let s = loop.innerStrides
        Parallel.forRange(loop.count) { range in
            loop.forEachRun(in: range) { o, n in
                let po = out + o[0], pa = a + o[1], pb = b + o[2]
                if s[0] == 1 && s[1] == 1 && s[2] == 1 {
                    for i in 0..<n { po[i] = f(pa[i], pb[i]) }
                } else if s[0] == 1 && s[1] == 1 && s[2] == 0 {
                    let bv = pb[0]
                    for i in 0..<n { po[i] = f(pa[i], bv) }
                } else {
                    for i in 0..<n { po[i &* s[0]] = f(pa[i &* s[1]], pb[i &* s[2]]) }
                }
            }
        }
    }

    /// `out[i] = condition[i] ? a[i] : b[i]` over `shape` (`torch.where`).
    @inline(__always)
    static func select<T>(
        shape: [Int],
        _ condition: UnsafePointer<Bool>, _ conditionStrides: [Int],
        _ a: UnsafePointer<T>, _ aStrides: [Int],
        _ b: UnsafePointer<T>, _ bStrides: [Int],
        into out: UnsafeMutablePointer<T>, _ outStrides: [Int]
    ) {
        let loop = StridedLoop(shape: shape, operandStrides: [outStrides, conditionStrides, aStrides, bStrides])
        let s = loop.innerStrides
        Parallel.forRange(loop.count) { range in
            loop.forEachRun(in: range) { o, n in
                let po = out + o[0], pc = condition + o[1], pa = a + o[2], pb = b + o[3]
                for i in 0..<n { po[i &* s[0]] = pc[i &* s[1]] ? pa[i &* s[2]] : pb[i &* s[3]] }
            }
        }
    }

    /// Fills an `[images, channels, planeSize]` block with `values[c]` throughout plane
    /// `c` of every image (a convolution's bias, before the products are added).
    static func fillPlanes<T>(_ values: UnsafePointer<T>, images: Int, channels: Int, planeSize: Int, into out: UnsafeMutablePointer<T>) {
        for image in 0..<images {
            for c in 0..<channels { (out + (image * channels + c) * planeSize).update(repeating: values[c], count: planeSize) }
        }
    }

    /// Sets every element of a strided region to `value`.
    static func fill<T>(shape: [Int], _ out: UnsafeMutablePointer<T>, _ outStrides: [Int], value: T) {
        if Shape.isContiguous(shape: shape, strides: outStrides) {
            out.update(repeating: value, count: Shape.count(shape))
            return
        }
        let loop = StridedLoop(shape: shape, operandStrides: [outStrides])
        let s = loop.innerStrides[0]
        Parallel.forRange(loop.count) { range in
            loop.forEachRun(in: range) { o, n in
                let po = out + o[0]
                for i in 0..<n { po[i &* s] = value }
            }
        }
    }
}
