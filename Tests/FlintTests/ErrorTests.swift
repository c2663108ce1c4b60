import Testing
@testable import Flint

/// Graph misuse throws `AutogradError` with PyTorch's wording.
@Suite struct ErrorTests {
    func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as AutogradError { return error.description } catch { return "\(error)" }
        return nil
    }

    @Test func implicitGradientNeedsAScalar() {
        let x = Tensor.ones([3], requiresGrad: true)
        let m = message { try (x * 2).backward() }
        #expect(m?.contains("grad can be implicitly created only for scalar outputs") == true)
    }

    @Test func secondBackwardWithoutRetainGraph() throws {
        let x = Tensor.ones([2], requiresGrad: true)
        let y = (x * x).sum()
        try y.backward()
        let m = message { try y.backward() }
        #expect(m?.contains("Trying to backward through the graph a second time") == true)
        #expect(m?.contains("Specify retain_graph=True") == true)
    }

    @Test func inPlaceChangeOfASavedTensor() throws {
        let x = Tensor.ones([2, 2], requiresGrad: true)
        let y = x + 2
        let z = y * y
        y.add_(Tensor(1.0), line: 4242)
        let m = message { try z.sum().backward() }
        #expect(m?.contains("one of the variables needed for gradient computation has been modified by an inplace operation") == true)
        #expect(m?.contains("[torch.FloatTensor [2, 2]], which is output 0 of AddBackward0, is at version 1; expected version 0 instead") == true)
    }

    @Test func messageNamesTheSourceLineOfTheNode() throws {
        let x = Tensor.ones([2], requiresGrad: true)
        let y = x.mul(x)
        let z = y.sin(line: 777)
        y.sub_(Tensor(1.0))
        let m = message { try z.sum().backward() }
        #expect(m?.contains("modified by an inplace operation") == true)
        #expect(m?.contains("ErrorTests.swift:777") == true)
        let w = x.mul(x, line: 555)
        x.grad = nil
        noGrad { x.fill_(3) }
        let m2 = message { try w.sum().backward() }
        #expect(m2?.contains("ErrorTests.swift:555") == true)
    }

    @Test func outputWithoutGradFn() {
        let m = message { try Tensor.ones([1]).backward() }
        #expect(m == "element 0 of tensors does not require grad and does not have a grad_fn")
    }

    @Test func unusedInputOfAutogradGrad() {
        let x = Tensor.ones([1], requiresGrad: true)
        let unused = Tensor.ones([1], requiresGrad: true)
        let m = message { _ = try Autograd.grad(outputs: [(x * 2).sum()], inputs: [unused]) }
        #expect(m?.contains("appears to not have been used in the graph") == true)
    }

    @Test func gradientShapeMismatch() {
        let x = Tensor.ones([3], requiresGrad: true)
        let m = message { try (x * 2).backward(gradient: Tensor.ones([2])) }
        #expect(m?.contains("Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of torch.Size([3])") == true)
    }
}
