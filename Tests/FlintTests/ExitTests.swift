import Testing
@testable import Flint

/// Programmer errors stop the program with a message naming the op, the shapes and
/// the caller's line; these tests run each in a child process and read its stderr.
@Suite struct ExitTests {
    static func stderr(_ result: ExitTest.Result?) -> String {
        result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
    }

    @Test func broadcastMismatchNamesOpAndShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]).add(Tensor.ones([4]))
        }
        let text = Self.stderr(result)
        #expect(text.contains("add: shapes [2, 3] and [4] do not broadcast"))
        #expect(text.contains("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"))
        #expect(text.contains("ExitTests.swift:"))
    }

    @Test func matmulMismatchNamesShapesAndLine() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]).matmul(Tensor.ones([4, 5]))
        }
        let text = Self.stderr(result)
        #expect(text.contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"))
        #expect(text.contains("ExitTests.swift:"))
    }

    @Test func inPlaceOnALeafThatRequiresGrad() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor.ones([2], requiresGrad: true)
            w.add_(Tensor.ones([2]))
        }
        #expect(Self.stderr(result).contains("a leaf Variable that requires grad is being used in an in-place operation."))
    }

    @Test func indexOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.ones([3])
            _ = x[5]
        }
        let text = Self.stderr(result)
        #expect(text.contains("select: index 5 is out of bounds for dimension 0 with size 3"))
        #expect(text.contains("ExitTests.swift:"))
    }

    @Test func nllLossTargetOutOfBounds() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).logSoftmax(dim: 1).nllLoss(target: Tensor([0, 7]))
        }
        let text = Self.stderr(result)
        #expect(text.contains("Target 7 is out of bounds."))
        #expect(text.contains("ExitTests.swift:"))
    }

    @Test func invalidView() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]).view([4])
        }
        #expect(Self.stderr(result).contains("view: shape '[4]' is invalid for input of size 6"))
    }

    @Test func integerTensorsCannotRequireGrad() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([1, 2]).requiresGrad_()
        }
        let text = Self.stderr(result)
        #expect(text.contains("requiresGrad: only Tensors of floating point dtype can require gradients"))
        #expect(text.contains("ExitTests.swift:"))
    }

    @Test func itemOfManyElements() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2]).item()
        }
        #expect(Self.stderr(result).contains("a Tensor with 2 elements cannot be converted to Scalar"))
    }
}
