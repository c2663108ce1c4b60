import Testing
@testable import Flint

/// The seed transcripts (../shared/seeds): PyTorch's autograd tutorial and its
/// translations, reproduced with their printed output.
@Suite struct SeedTests {
    @Test func twoByTwoExample() throws {
        let x = Tensor.ones([2, 2], requiresGrad: true)
        #expect(x.description == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)")
        let y = x + 2
        #expect(y.description == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)")
        #expect(y.gradFn?.name == "AddBackward0")
        #expect(x.gradFn == nil)
        let z = y * y * 3
        let out = z.mean()
        #expect(z.description == "tensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>)")
        #expect(out.description == "tensor(27., grad_fn=<MeanBackward0>)")
        try out.backward()
        #expect(x.grad?.description == "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])")
    }

    /// Runs in a child process: the default generator is process-wide and other tests
    /// draw from it concurrently.
    @Test func randomStepsMatchPyTorchUnderTheSameSeed() async {
        await #expect(processExitsWith: .success) { try SeedTests.checkRandomSteps() }
    }

    static func checkRandomSteps() throws {
        func check(_ actual: String, _ expected: String) {
            precondition(actual == expected, "got\n\(actual)\nexpected\n\(expected)")
        }
        let expected = TorchFixtures.shared.seeds
        manualSeed(0)
        var a = Tensor.randn([2, 2])
        a = (a * 3) / (a - 1)
        check(a.description, expected.lines[0])
        precondition(!a.requiresGrad)
        a.requiresGrad_(true)
        precondition(a.requiresGrad && (a * a).sum().gradFn?.name == "SumBackward0")
        let x = Tensor.randn([3], requiresGrad: true)
        check(x.description, expected.lines[1])
        var y = x * 2
        var loops = 0
        while y.data.norm() < 1000 {
            y = y * 2
            loops += 1
        }
        precondition(loops == expected.loops)
        check(y.description, expected.lines[2])
        try y.backward(gradient: Tensor([0.1, 1.0, 0.0001]))
        check(x.grad!.description, expected.lines[3])
        check(Tensor.rand([5]).description, expected.lines[4])
        check(Tensor.randn([17], dtype: .float64).description, expected.lines[5].replacingOccurrences(of: "dtype=torch.", with: "dtype="))
    }

    @Test func vectorJacobianProductOfTheTranscripts() throws {
        let x = Tensor([-0.4567, -0.2059, 0.1537], requiresGrad: true)
        var y = x * 2
        while y.norm() < 1000 { y = y * 2 }
        #expect(y.description == "tensor([-935.3216, -421.6832,  314.7776], grad_fn=<MulBackward0>)")
        try y.backward(gradient: Tensor([0.1, 1.0, 0.0001]))
        #expect(x.grad?.description == "tensor([2.0480e+02, 2.0480e+03, 2.0480e-01])")
    }

    @Test func noGradStopsTracking() {
        let x = Tensor.randn([3], requiresGrad: true)
        #expect(x.requiresGrad)
        #expect(pow(x, 2).requiresGrad)
        noGrad { #expect(!pow(x, 2).requiresGrad) }
        #expect(isGradEnabled)
        let d = x.detach()
        #expect(!d.requiresGrad)
        #expect((x .== d).all().item() == 1)
    }

    @Test func scalarExampleAndLeafFlags() throws {
        let x = Variable(Tensor([1.0]), requiresGrad: true)
        let w = Variable(Tensor([2.0]), requiresGrad: true)
        let b = Variable(Tensor([3.0]), requiresGrad: true)
        let y = w * x + b
        try y.backward()
        #expect(x.grad?.item() == 2)
        #expect(w.grad?.item() == 1)
        #expect(b.grad?.item() == 1)

        let a = Variable(Tensor.ones([3, 4]), requiresGrad: true)
        let zeros = Variable(Tensor.zeros([3, 4]))
        let c = a.add(zeros)
        try c.sum().backward()
        #expect(a.grad?.scalars(as: Float.self) == [Float](repeating: 1, count: 12))
        #expect((a.requiresGrad, zeros.requiresGrad, c.requiresGrad) == (true, false, true))
        #expect((a.isLeaf, zeros.isLeaf, c.isLeaf) == (true, true, false))
        #expect(c.grad == nil)
        #expect(c.gradFn?.name == "AddBackward0")
    }

    @Test func nextFunctionsWalkTheGraph() throws {
        let x = Tensor.ones([1])
        let b = Tensor.rand([1], requiresGrad: true)
        let w = Tensor.rand([1], requiresGrad: true)
        let y = w * x
        let z = y + b
        let next = try #require(z.gradFn?.nextFunctions)
        #expect(next.count == 2)
        #expect(next[0].node === y.gradFn && next[0].inputNr == 0)
        #expect(next[1].node?.name == "AccumulateGrad" && next[1].inputNr == 0)
        #expect(y.gradFn?.nextFunctions[0].node?.name == "AccumulateGrad")
        #expect(y.gradFn?.nextFunctions[1].node == nil)
        #expect((b * 1).gradFn?.nextFunctions[0].node === next[1].node)
    }

    @Test func retainGraphAccumulates() throws {
        let x = Tensor([0.5], requiresGrad: true)
        let y = 2 * x
        let z = x + y
        try z.backward(retainGraph: true)
        #expect(x.grad?.item() == 3)
        try z.backward()
        #expect(x.grad?.item() == 6)
    }
}
