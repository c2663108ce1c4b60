import Testing
import Dispatch
import Synchronization
@testable import Flint

/// The kernels against plain loops: every GEMM micro-kernel this CPU runs (AVX-512,
/// AVX2, portable), each with its own packing, with A and B each read in place (C
/// kernels) and packed, and the vectorised math.
@Suite struct KernelTests {
    static var floatKernels: [GEMM.MicroKernel<Float>] {
        [GEMM.nativeKernel(named: "avx512"), GEMM.nativeKernel(named: "avx2")].compactMap { $0 } + [GEMM.portableKernel(Float.self)]
    }

    /// Sizes that give edge tiles of every row count of both native kernels, narrow and
    /// wide column edges, and depths that leave remainders after 16-, 8- and 4-wide
    /// transposes; (150, 200, 80) is large enough to be split across threads (rows shared
    /// in whole micro-tiles) where the machine has more than one core, as are (100, 70, 300)
    /// (each thread packing its own copy of two depth blocks of B) and (40, 180, 300) (too
    /// few rows: threads share the columns), and (150, 1024, 3) packs a row-major B whose
    /// rows are 4 KiB apart.
    static let shapes = [
        (1, 1, 1), (13, 33, 7), (30, 70, 300), (75, 40, 5), (6, 25, 37), (11, 17, 12), (64, 48, 19), (150, 200, 80),
        (100, 70, 300), (40, 180, 300), (150, 1024, 3),
    ]

    @Test func everyMicroKernelMultipliesCorrectly() {
        var random = TestRandom(state: 3)
        for kernel in Self.floatKernels {
            for (m, n, k) in Self.shapes {
                let a = random.values(m * k).map { Float($0) }, b = random.values(k * n).map { Float($0) }
                let c0 = random.values(m * n).map { Float($0) }
                for (transposedA, transposedB) in [(false, false), (false, true), (true, false), (true, true)] {
                    let aStored = transposedA ? (0..<(m * k)).map { a[($0 % m) * k + $0 / m] } : a
                    let bStored = transposedB ? (0..<(n * k)).map { b[($0 % k) * n + $0 / k] } : b
                    for accumulate in [false, true] {
                        var c = c0
                        aStored.withUnsafeBufferPointer { pa in
                            bStored.withUnsafeBufferPointer { pb in
                                c.withUnsafeMutableBufferPointer { pc in
                                    GEMM.multiply(m: m, n: n, k: k, pa.baseAddress!, aRowStride: transposedA ? 1 : k, aColStride: transposedA ? m : 1,
                                                  pb.baseAddress!, bRowStride: transposedB ? 1 : n, bColStride: transposedB ? k : 1,
                                                  into: pc.baseAddress!, ldc: n, accumulate: accumulate, kernel: kernel)
                                }
                            }
                        }
                        var worst: Float = 0
                        for i in 0..<m {
                            for j in 0..<n {
                                var s: Float = accumulate ? c0[i * n + j] : 0
                                for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
                                worst = Swift.max(worst, Swift.abs(s - c[i * n + j]))
                            }
                        }
                        #expect(worst < 1e-4, "\(kernel.name) \(m)x\(n)x\(k) transposedA=\(transposedA) transposedB=\(transposedB) accumulate=\(accumulate): error \(worst)")
                    }
                }
            }
        }
    }

    /// Products whose operands are expanded views (a zero row or depth stride) against
    /// the same products of copies: a row-major A whose rows are one expanded row was
    /// once read as a packed sliver.
    @Test func productsOfExpandedOperands() {
        manualSeed(5)
        let b = Tensor.randn([37, 70])
        for a in [Tensor.randn([1, 37]).expand([50, 37]), Tensor.randn([50, 1]).expand([50, 37])] {
            expectClose(a.matmul(b).scalars(as: Double.self), a.contiguous().matmul(b).scalars(as: Double.self), atol: 1e-5, rtol: 1e-5, "A strides \(a.strides)")
            expectClose(b.t().matmul(a.t()).scalars(as: Double.self), b.t().matmul(a.t().contiguous()).scalars(as: Double.self), atol: 1e-5, rtol: 1e-5, "B strides \(a.t().strides)")
        }
    }

    /// Float32 matrices stored column by column (a transpose, a block of one, odd sizes)
    /// copied by the blocked transpose and fed to a binary op, against the float64 walk
    /// of the same values.
    @Test func transposedOperandsCopyInBlocks() {
        manualSeed(9)
        let big = Tensor.randn([50, 64])
        for view in [Tensor.randn([53, 37]).t(), big.t().slice(dim: 0, start: 3, end: 40), Tensor.randn([300, 17]).t()] {
            #expect(view.strides[0] == 1 && view.isTransposedMatrix(shape: view.shape))
            let expected = view.to(.float64).contiguous()
            #expect(view.contiguous().scalars(as: Double.self) == expected.scalars(as: Double.self), "copy of strides \(view.strides)")
            let other = Tensor.randn(view.shape)
            #expect((other * view).scalars(as: Double.self) == (other.to(.float64) * expected).to(.float32).scalars(as: Double.self), "product with strides \(view.strides)")
        }
        // One column stored as one row is already in row-major order: nothing to transpose.
        #expect(!Tensor.randn([1, 2000]).t().isTransposedMatrix(shape: [2000, 1]))
    }

    /// The float32-only paths (C max pooling, dot-product weight gradients, dense window
    /// unfolding) against the float64 paths on the same values.
    @Test func float32FastPathsMatchFloat64() throws {
        var random = TestRandom(state: 11)
        // Pooling: NaNs (two in one window), a tie, odd sizes, rows wider than 16 windows.
        for shape in [[2, 4, 10, 12], [1, 3, 7, 41]] {
            var values = random.values(Shape.count(shape))
            values[5] = .nan
            (values[6], values[shape[3] + 6]) = (.nan, .nan)
            values[130] = values[131]
            let px64 = Tensor(flat: values, shape: shape).requiresGrad_()
            let px32 = px64.detach().to(.float32).requiresGrad_()
            let (p64, p32) = (px64.maxPool2d(kernelSize: 2), px32.maxPool2d(kernelSize: 2))
            let pg = Tensor(flat: random.values(p64.count), shape: p64.shape)
            try p64.backward(gradient: pg)
            try p32.backward(gradient: pg.to(.float32))
            let (v32, v64) = (p32.scalars(as: Double.self), p64.scalars(as: Double.self))
            #expect(v32.map(\.isNaN) == v64.map(\.isNaN) && v64.contains(where: \.isNaN))
            #expect(zip(v32, v64).allSatisfy { $0.isNaN || $0 == Double(Float($1)) })
            #expect(px32.grad!.scalars(as: Double.self) == px64.grad!.to(.float32).scalars(as: Double.self))
        }
        let x64 = Tensor(flat: random.values(2 * 4 * 10 * 12), shape: [2, 4, 10, 12]), x32 = x64.to(.float32)
        for (stride, padding, groups) in [(1, 0, 1), (2, 1, 2), (1, 2, 4)] {
            let w64 = Tensor(flat: random.values(8 * (4 / groups) * 3 * 3), shape: [8, 4 / groups, 3, 3]).requiresGrad_()
            let w32 = w64.detach().to(.float32).requiresGrad_()
            let b64 = Tensor(flat: random.values(8), shape: [8]).requiresGrad_(), b32 = b64.detach().to(.float32).requiresGrad_()
            let xg64 = x64.detach().requiresGrad_(), xg32 = x32.detach().requiresGrad_()
            let y64 = xg64.conv2d(weight: w64, bias: b64, stride: Size2(stride, stride), padding: Size2(padding, padding), groups: groups)
            let y32 = xg32.conv2d(weight: w32, bias: b32, stride: Size2(stride, stride), padding: Size2(padding, padding), groups: groups)
            let g = Tensor(flat: random.values(y64.count), shape: y64.shape)
            try y64.backward(gradient: g)
            try y32.backward(gradient: g.to(.float32))
            let what = "conv stride \(stride) padding \(padding) groups \(groups)"
            expectClose(y32.scalars(as: Double.self), y64.scalars(as: Double.self), atol: 1e-5, rtol: 1e-4, "\(what): output")
            expectClose(w32.grad!.scalars(as: Double.self), w64.grad!.scalars(as: Double.self), atol: 1e-4, rtol: 1e-4, "\(what): weight gradient")
            expectClose(xg32.grad!.scalars(as: Double.self), xg64.grad!.scalars(as: Double.self), atol: 1e-4, rtol: 1e-4, "\(what): input gradient")
            expectClose(b32.grad!.scalars(as: Double.self), b64.grad!.scalars(as: Double.self), atol: 1e-4, rtol: 1e-4, "\(what): bias gradient")
        }
    }

    /// A float32 linear layer wider than its batch (computed as `(w·xᵀ)ᵀ`) against float64,
    /// with and without a bias, for a contiguous and a transposed input.
    @Test func float32WideLinearMatchesFloat64() {
        var random = TestRandom(state: 7)
        for (n, k, m) in [(13, 37, 50), (3, 5, 40), (64, 100, 65)] {
            let x64 = Tensor(flat: random.values(n * k), shape: [n, k]), w64 = Tensor(flat: random.values(m * k), shape: [m, k])
            let b64 = Tensor(flat: random.values(m), shape: [m])
            let xt64 = Tensor(flat: random.values(n * k), shape: [k, n]).t()
            for x in [x64, xt64] {
                for bias in [b64, nil] {
                    let y64 = x.linear(weight: w64, bias: bias)
                    let y32 = x.to(.float32).linear(weight: w64.to(.float32), bias: bias?.to(.float32))
                    #expect(y32.shape == [n, m])
                    expectClose(y32.scalars(as: Double.self), y64.scalars(as: Double.self), atol: 1e-4, rtol: 1e-4, "\(n)x\(k)x\(m) bias \(bias != nil)")
                }
            }
        }
    }

    /// Float32 sums over leading and trailing dimensions (runs summed by the vector kernel,
    /// rows added side by side) against float64 sums of the same values, and sums that
    /// keep dimensions on both sides of a reduced one (the element-by-element walk).
    @Test func float32BlockSumsMatchFloat64() {
        var random = TestRandom(state: 5)
        let cases: [([Int], [Int])] = [
            ([4, 3, 5, 7], [0, 2, 3]), ([64, 10], [0]), ([3, 40], [1]), ([2, 1, 3, 1, 33], [0, 4]),
            ([5, 6, 7], [0, 1]), ([5, 6, 7], [1, 2]), ([3, 70000], [0]), ([5, 6, 7], [1]), ([1, 1], [0]),
        ]
        for (shape, dims) in cases {
            let x64 = Tensor(flat: random.values(Shape.count(shape)), shape: shape)
            let x32 = x64.to(.float32)
            for keepDim in [false, true] {
                let (s32, s64) = (x32.sum(dims: dims, keepDim: keepDim), x64.to(.float32).to(.float64).sum(dims: dims, keepDim: keepDim))
                #expect(s32.shape == s64.shape)
                expectClose(s32.scalars(as: Double.self), s64.scalars(as: Double.self), atol: 1e-5, rtol: 1e-6, "\(shape) over \(dims)")
            }
        }
    }

    /// Relu's one-pass backward passes the gradient where the output is positive or NaN
    /// and gives exactly 0 elsewhere (even for an infinite gradient), as PyTorch's
    /// `threshold_backward`; its own backward is ThresholdBackwardBackward0.
    @Test func reluBackwardIsThresholdBackward() throws {
        for dtype in [DType.float32, .float64] {
            let x = Tensor([Double.nan, -1, 0, 2], dtype: dtype).requiresGrad_()
            let y = x.relu()
            let g = try Autograd.grad(outputs: [y], inputs: [x], gradOutputs: [Tensor([1, .infinity, 3, 4], dtype: dtype)], createGraph: true)[0]!
            #expect(g.scalars(as: Double.self) == [1, 0, 0, 4])
            #expect(g.gradFn?.name == "ThresholdBackwardBackward0")
        }
    }

    /// A float32 weight gradient taken with `createGraph` stays differentiable with
    /// respect to the input even when the output gradient is a constant (the
    /// dot-product fast path must not run then): the mixed second derivative equals
    /// float64's.
    @Test func float32WeightGradientWithCreateGraphReachesTheInput() throws {
        var random = TestRandom(state: 5)
        let x64 = Tensor(flat: random.values(2 * 3 * 6 * 6), shape: [2, 3, 6, 6]).requiresGrad_()
        let w64 = Tensor(flat: random.values(4 * 3 * 3 * 3), shape: [4, 3, 3, 3]).requiresGrad_()
        let x32 = x64.detach().to(.float32).requiresGrad_(), w32 = w64.detach().to(.float32).requiresGrad_()
        func mixed(_ x: Tensor, _ w: Tensor) throws -> [Double] {
            let gw = try Autograd.grad(outputs: [x.conv2d(weight: w).sum()], inputs: [w], createGraph: true)[0]!
            let gx = try Autograd.grad(outputs: [(gw * gw).sum()], inputs: [x])[0]!
            return gx.scalars(as: Double.self)
        }
        expectClose(try mixed(x32, w32), try mixed(x64, w64), atol: 1e-3, rtol: 1e-4, "d/dx |dL/dw|²")
    }

    @Test func vectorisedMathAgreesWithLibm() {
        let values: [Float] = (0..<4099).map { Float($0 - 2049) * 0.0137 } + [0, -0, 1e-7, -1e-7, 88, -88, 100, -104, 200, .infinity, -.infinity]
        let x = Tensor(flat: values, shape: [values.count])
        let checks: [(String, Tensor, (Double) -> Double)] = [
            ("exp", x.exp(), { Foundation_exp($0) }),
            ("tanh", x.tanh(), { Foundation_tanh($0) }),
            ("sigmoid", x.sigmoid(), { 1 / (1 + Foundation_exp(-$0)) }),
        ]
        for (name, result, reference) in checks {
            for (v, y) in zip(values, result.scalars(as: Float.self)) {
                let expected = Float(reference(Double(v)))
                let error = Swift.abs(Double(y) - Double(expected))
                #expect(error <= 4 * Double(expected.ulp) || (y == expected), "\(name)(\(v)) = \(y), expected \(expected)")
            }
        }
        #expect(Tensor([Float.nan]).exp().item().isNaN && Tensor([Float.nan]).tanh().item().isNaN)
        #expect(Tensor([Float.infinity, -.infinity, 20, -9.5, 0.5]).tanh().scalars(as: Float.self) == [1, -1, 1, -1, Float(Foundation_tanh(0.5))])
        let big = Tensor.arange(0, 100_003, dtype: .float32)
        #expect(big.sum().item() == Double(Float(Double(100_002) * 100_003 / 2)))
    }
}

func Foundation_exp(_ x: Double) -> Double { Tensor(x, dtype: .float64).exp().item() }
func Foundation_tanh(_ x: Double) -> Double { Tensor(x, dtype: .float64).tanh().item() }

/// The worker pool behind `Parallel.forRange`: every index exactly once, from nested calls
/// and from many threads at once (those run alone while another thread's job holds the
/// workers).
@Suite struct ParallelTests {
    /// Runs `forRange` on up to `threads` threads and counts how often each index was seen.
    static func visits(_ count: Int, threads: Int, nested: Bool) -> [Int] {
        let seen = UnsafeMutablePointer<Int>.allocate(capacity: count)
        defer { seen.deallocate() }
        seen.initialize(repeating: 0, count: count)
        Parallel.forRange(count, grain: 0, threads: threads) { range in
            if nested {
                // Chunks of one call are disjoint, so each nested call writes its own indices.
                Parallel.forRange(range.count, grain: 0, threads: threads) { inner in
                    for i in inner { seen[range.lowerBound + i] += 1 }
                }
            } else {
                for i in range { seen[i] += 1 }
            }
        }
        return Array(UnsafeBufferPointer(start: seen, count: count))
    }

    @Test func everyIndexRunsOnce() {
        for threads in [1, 2, 3, 8] {
            for count in [1, 2, 5, 1000] {
                #expect(Self.visits(count, threads: threads, nested: false) == [Int](filled: 1, count: count))
                #expect(Self.visits(count, threads: threads, nested: true) == [Int](filled: 1, count: count))
            }
        }
    }

    /// A call made from inside another call's body finds the pool busy and runs its body
    /// once, over the whole range (so per-thread work in a body, such as packing an
    /// operand, is done once).
    @Test func nestedCallRunsItsBodyOnce() {
        // The outer call runs its body once per chunk, or once when another test holds
        // the workers; each of those makes one nested call.
        let outer = Atomic<Int>(0), inner = Atomic<Int>(0)
        Parallel.forRange(2, grain: 0, threads: 2) { _ in
            outer.add(1, ordering: .relaxed)
            Parallel.forRange(1000, grain: 0, threads: 2) { range in
                #expect(range == 0..<1000)
                inner.add(1, ordering: .relaxed)
            }
        }
        #expect(inner.load(ordering: .relaxed) == outer.load(ordering: .relaxed))
    }

    @Test func manyCallersAtOnce() {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { caller in
            for round in 0..<200 {
                let count = 10 + (caller * 31 + round) % 90
                if Self.visits(count, threads: 2 + caller % 3, nested: round % 2 == 0) != [Int](filled: 1, count: count) {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }
}
