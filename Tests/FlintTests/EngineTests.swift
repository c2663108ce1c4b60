import Dispatch
import Foundation
import Testing
@testable import Flint

/// The engine's structural guarantees: no recursion, no reference cycles, and
/// independent graphs on several threads.
@Suite struct EngineTests {
    @Test func millionOpChainBackpropagates() throws {
        let x = Tensor([1.0], dtype: .float64, requiresGrad: true)
        var y = x
        for _ in 0..<1_000_000 { y = y * 1.0000001 }
        try y.backward()
        let expected = Foundation_pow(1.0000001, 1_000_000)
        #expect(Swift.abs(x.grad!.item() - expected) < 1e-9)
    }

    @Test func millionOpChainIsFreedWithoutRecursion() {
        weak var first: Node?
        do {
            let x = Tensor([1.0], requiresGrad: true)
            var y = x.sin()
            first = y.gradFn
            for _ in 0..<1_000_000 { y = y.sin() }
        }
        #expect(first == nil)
    }

    @Test func graphIsFreedWhenItsOutputIsDropped() throws {
        weak var node: Node?
        weak var intermediate: Tensor?
        weak var exponential: Node?
        let x = Tensor.ones([3], requiresGrad: true)
        do {
            let h = x * 2
            let y = h.sin().exp()
            node = y.gradFn
            exponential = y.gradFn
            intermediate = h
            #expect(node != nil && intermediate != nil)
        }
        #expect(node == nil)
        #expect(exponential == nil)
        #expect(intermediate == nil)
    }

    @Test func graphIsFreedAfterRetainedBackward() throws {
        weak var node: Node?
        weak var saved: Tensor?
        weak var accumulator: Node?
        let x = Tensor.ones([3], requiresGrad: true)
        do {
            let h = x * 2
            let y = (h * h).sum()
            node = y.gradFn
            saved = h
            accumulator = h.gradFn?.nextFunctions[0].node
            try y.backward(retainGraph: true)
            try y.backward(retainGraph: true)
        }
        #expect(x.grad?.scalars(as: Float.self) == [16, 16, 16])
        #expect(node == nil)
        #expect(saved == nil)
        #expect(accumulator == nil)
    }

    @Test func higherOrderGraphsAreFreedToo() throws {
        weak var gradNode: Node?
        do {
            let x = Tensor([1.0, 2.0], dtype: .float64, requiresGrad: true)
            let g = try Autograd.grad(outputs: [pow(x, 3).sum()], inputs: [x], createGraph: true)[0]!
            gradNode = g.gradFn
            _ = try Autograd.grad(outputs: [g.sum()], inputs: [x])
        }
        #expect(gradNode == nil)
    }

    @Test func independentGraphsOnSeveralThreads() {
        let threads = 8
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: threads)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: threads) { i in
            var total = 0.0
            for _ in 0..<50 {
                let x = Tensor([Double(i), 1.0], dtype: .float64, requiresGrad: true)
                var y = x
                for _ in 0..<20 { y = (y * 1.01).tanh() + x * 0.5 }
                let g = try! Autograd.grad(outputs: [y.sum()], inputs: [x])[0]!
                total += noGrad { g.sum().item() }
            }
            results[i] = total
        }
        for i in 0..<threads {
            let x = Tensor([Double(i), 1.0], dtype: .float64, requiresGrad: true)
            var y = x
            for _ in 0..<20 { y = (y * 1.01).tanh() + x * 0.5 }
            let g = try! Autograd.grad(outputs: [y.sum()], inputs: [x])[0]!
            #expect(Swift.abs(results[i] - 50 * g.sum().item()) < 1e-9)
        }
    }

    /// The 0-d tensors standing for numbers are shared per thread by number and dtype,
    /// and released when their thread ends.
    @Test func numberTensorsAreSharedPerThreadAndReleasedWithIt() async {
        let first = WrappedNumbers.tensor(double: 1.0001, integer: 1, dtype: .float32)
        #expect(WrappedNumbers.tensor(double: 1.0001, integer: 1, dtype: .float32) === first)
        #expect(WrappedNumbers.tensor(double: 1.0001, integer: 1, dtype: .float64) !== first)
        #expect(WrappedNumbers.tensor(double: 3, integer: 3, dtype: .int64).item() == 3)
        final class Probe: @unchecked Sendable { weak var tensor: Tensor? }
        let probe = Probe()
        let thread = Thread {
            probe.tensor = WrappedNumbers.tensor(double: 0.75, integer: 0, dtype: .float32)
            #expect(probe.tensor != nil)
        }
        thread.start()
        for _ in 0..<200 where probe.tensor != nil || !thread.isFinished {
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        #expect(thread.isFinished && probe.tensor == nil)
    }

    @Test func laterNodesRunFirst() throws {
        // Both branches feed `out`; the engine must wait for every consumer of `h`.
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let h = x * x
        let a = h * 3
        let b = h.sin()
        let out = (a + b * a).sum()
        try out.backward()
        let xs = [1.0, 2.0]
        let expected = xs.map { v -> Double in
            let hv = v * v
            let dh = 3 + (Foundation_cos(hv) * 3 * hv + Foundation_sin(hv) * 3)
            return dh * 2 * v
        }
        expectClose(x.grad!.scalars(as: Double.self), expected, atol: 1e-4, rtol: 1e-4, "diamond graph")
    }

    @Test func gradAsksFormulasOnlyForRequestedPaths() throws {
        // `b` and the `b * 2` path lead to no requested input: their formulas are not run
        // for `Autograd.grad` with respect to `a`, but are for `backward()`.
        let a = Tensor([1.0, 2.0], requiresGrad: true), b = Tensor([3.0, 4.0], requiresGrad: true)
        var asked: [[Bool]] = []
        let product = (a * b).detach().recorded("TestBackward", inputs: [a, b * 2]) { c in
            asked.append([c.needs(0), c.needs(1)])
            return [c.grad, c.grad]
        }
        let g = try Autograd.grad(outputs: [product.sum()], inputs: [a])[0]!
        #expect(g.scalars(as: Float.self) == [1, 1])
        try product.sum().backward()
        #expect(asked == [[true, false], [true, true]])
        #expect(b.grad!.scalars(as: Float.self) == [2, 2])
    }
}

func Foundation_sin(_ x: Double) -> Double { Tensor(x, dtype: .float64).sin().item() }
func Foundation_cos(_ x: Double) -> Double { Tensor(x, dtype: .float64).cos().item() }
