import Testing
@testable import Flint

/// Autograd semantics: accumulation, retained gradients, detach/data, grad mode,
/// higher-order derivatives, `Autograd.grad`, in-place ops and their version checks.
@Suite struct AutogradTests {
    @Test func gradientsAccumulateUntilCleared() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        try (x * x).sum().backward()
        try (x * x).sum().backward()
        #expect(x.grad?.scalars(as: Double.self) == [4, 8])
        x.grad = nil
        try (x * 3).sum().backward()
        #expect(x.grad?.scalars(as: Double.self) == [3, 3])
    }

    @Test func sharedSubexpressionsSumTheirGradients() throws {
        let x = Tensor(2.0, dtype: .float64, requiresGrad: true)
        let y = x * x
        let z = y * y + y
        try z.backward()
        #expect(x.grad?.item() == 36.0)  // (2y + 1) * 2x at y = x² = 4
    }

    @Test func retainGradKeepsNonLeafGradients() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = x * 2
        y.retainGrad()
        #expect(y.retainsGrad)
        try (y * y).sum().backward()
        #expect(y.grad?.scalars(as: Double.self) == [4, 8])
        #expect(x.grad?.scalars(as: Double.self) == [8, 16])
    }

    @Test func detachAndDataShareStorage() {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let d = x.detach()
        let v = x.data
        #expect(!d.requiresGrad && !v.requiresGrad && d.isLeaf)
        noGrad { x.mul_(Tensor(10.0)) }
        #expect(d.scalars(as: Double.self) == [10, 20])
        #expect(v.scalars(as: Double.self) == [10, 20])
    }

    @Test func requiresGradToggles() {
        let a = Tensor.randn([2])
        #expect(!a.requiresGrad)
        #expect(a.requiresGrad_() === a)
        #expect(a.requiresGrad)
        a.requiresGrad = false
        #expect(!(a * 2).requiresGrad)
    }

    @Test func gradModeIsPerThreadAndNests() async {
        #expect(isGradEnabled)
        noGrad {
            #expect(!isGradEnabled)
            enableGrad { #expect(isGradEnabled) }
            #expect(!isGradEnabled)
        }
        let x = Tensor.ones([1], requiresGrad: true)
        let other = Task.detached { isGradEnabled }
        noGrad { #expect(!(x * 2).requiresGrad) }
        #expect(await other.value)
    }

    @Test func hessianVectorProductWithCreateGraph() throws {
        // f(x) = sum(x^3): gradient 3x^2, Hessian diag(6x).
        let x = Tensor([1.0, -2.0, 0.5], dtype: .float64, requiresGrad: true)
        let f = pow(x, 3).sum()
        let g = try #require(try Autograd.grad(outputs: [f], inputs: [x], createGraph: true)[0])
        #expect(g.scalars(as: Double.self) == [3, 12, 0.75])
        #expect(g.requiresGrad)
        let v = Tensor([1.0, 1.0, 2.0], dtype: .float64)
        let hv = try #require(try Autograd.grad(outputs: [g], inputs: [x], gradOutputs: [v], retainGraph: true)[0])
        #expect(hv.scalars(as: Double.self) == [6, -12, 6])
        let third = try Autograd.grad(outputs: [(g * g).sum()], inputs: [x], createGraph: true)[0]!
        #expect(third.scalars(as: Double.self) == [36, -288, 4.5])
    }

    @Test func backwardWithCreateGraphLeavesDifferentiableGrad() throws {
        let x = Tensor(3.0, dtype: .float64, requiresGrad: true)
        try pow(x, 3).backward(createGraph: true)
        let g = try #require(x.grad)
        #expect(g.item() == 27)
        #expect(g.gradFn != nil)
        let second = try Autograd.grad(outputs: [g], inputs: [x])[0]!
        #expect(second.item() == 18)
    }

    @Test func autogradGradLeavesGradUntouched() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = Tensor([3.0], requiresGrad: true)
        let out = (x * y).sum()
        let grads = try Autograd.grad(outputs: [out], inputs: [y, x], retainGraph: true)
        #expect(grads[0]?.scalars(as: Double.self) == [3])
        #expect(grads[1]?.scalars(as: Double.self) == [3, 3])
        #expect(x.grad == nil && y.grad == nil)
        let z = Tensor([1.0], requiresGrad: true)
        let partial = try Autograd.grad(outputs: [out], inputs: [z], allowUnused: true)
        #expect(partial[0] == nil)
    }

    @Test func gradWithRespectToAnIntermediate() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let h = x * 3
        let out = (h * h).sum()
        let gh = try Autograd.grad(outputs: [out], inputs: [h])[0]!
        #expect(gh.scalars(as: Double.self) == [6, 12])
    }

    @Test func inPlaceOpsOnNonLeavesAreRecorded() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = x * 2
        let before = y.version.value
        y += 1
        #expect(y.version.value == before + 1)
        #expect(y.gradFn?.name == "AddBackward0")
        y *= x
        #expect(y.gradFn?.name == "MulBackward0")
        try y.sum().backward()
        // y = (2x + 1) * x  ->  dy/dx = 4x + 1
        #expect(x.grad?.scalars(as: Double.self) == [5, 9])
    }

    @Test func assignmentThroughAViewReachesTheBase() throws {
        let w = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let z = Tensor.zeros([2, 3])
        z[1] = w * w
        #expect(z.gradFn?.name == "CopySlices")
        #expect(z.scalars(as: Double.self) == [0, 0, 0, 1, 4, 9])
        try (z * 2).sum().backward()
        #expect(w.grad?.scalars(as: Double.self) == [4, 8, 12])
    }

    @Test func noGradInPlaceOnLeafIsAllowed() {
        let w = Tensor([1.0, 2.0], requiresGrad: true)
        noGrad { w -= Tensor([0.5, 0.5]) }
        #expect(w.scalars(as: Double.self) == [0.5, 1.5])
        #expect(w.isLeaf && w.requiresGrad)
    }


    @Test func productWithAConstantKeepsOnlyTheConstant() throws {
        // As PyTorch's MulBackward0: `y` is not saved when only its own gradient is
        // wanted, so changing it in place afterwards is fine; with `w` requiring a
        // gradient it is saved, and the change is caught.
        let x = Tensor([1.0, 2.0], requiresGrad: true), w = Tensor([5.0, 7.0], requiresGrad: true)
        let y = x * 1
        let z = y * 3
        let u = y * w
        y.add_(Tensor([10.0, 10.0]))
        try z.sum().backward()
        #expect(x.grad?.scalars(as: Double.self) == [3, 3])
        #expect(throws: AutogradError.self) { try u.sum().backward() }
    }

    @Test func scaledAddInPlace() throws {
        let w = Tensor([1.0, 2.0], requiresGrad: true), g = Tensor([[10.0, 20.0], [30.0, 40.0]])
        let before = w.version.value
        noGrad { w.add_(Tensor([4.0, 8.0]), alpha: -0.25) }
        #expect(w.scalars(as: Double.self) == [0, 0])
        #expect(w.version.value == before + 1)
        let f = Tensor.zeros([2, 2], dtype: .float32)
        f.add_(g[1], alpha: 0.5)
        #expect(f.scalars(as: Float.self) == [15, 20, 15, 20])
        // Recorded: the gradient of `other` carries alpha.
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = x * 1
        y.add_(x * x, alpha: 3)
        #expect(y.gradFn?.name == "AddBackward0")
        try y.sum().backward()
        #expect(x.grad?.scalars(as: Double.self) == [7, 13])
    }
    @Test func dynamicControlFlowBuildsDifferentGraphs() throws {
        for n in 1...4 {
            let x = Tensor(1.5, dtype: .float64, requiresGrad: true)
            var y = x
            for _ in 0..<n { y = y * x }
            try y.backward()
            #expect(Swift.abs(x.grad!.item() - Double(n + 1) * Foundation_pow(1.5, Double(n))) < 1e-12)
        }
    }

    @Test func mixedDtypesPromoteAndGradientsKeepInputTypes() throws {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        let b = Tensor([3.0, 4.0], dtype: .float64, requiresGrad: true)
        let c = a * b
        #expect(c.dtype == .float64)
        try c.sum().backward()
        #expect(a.grad?.dtype == .float32)
        #expect(b.grad?.dtype == .float64)
        #expect((Tensor([1, 2]) + 0.5).dtype == .float32)
        #expect((Tensor([1, 2]) + 1).dtype == .int64)
        #expect((Tensor([1, 2]) / 2).dtype == .float32)
    }
}

/// `pow` for Doubles without importing Foundation into every test.
func Foundation_pow(_ x: Double, _ n: Double) -> Double {
    var r = 1.0
    for _ in 0..<Int(n) { r *= x }
    return r
}
