import Testing
@testable import Flint

/// `print(t)` against PyTorch 2.13's strings (Flint spells `dtype=torch.float64` as
/// `dtype=float64`).
@Suite struct PrintingTests {
    @Test(arguments: TorchFixtures.shared.printing.indices)
    func matchesPyTorch(_ index: Int) {
        let c = TorchFixtures.shared.printing[index]
        let dtype: DType = ["float32": .float32, "float64": .float64, "int64": .int64, "bool": .bool][c.dtype]!
        let t = Tensor(flat: c.values.map(\.value), shape: c.shape, dtype: dtype, requiresGrad: c.requiresGrad)
        #expect(t.description == c.text.replacingOccurrences(of: "dtype=torch.", with: "dtype="))
    }

    @Test func gradFnSuffixAndWrapping() {
        let x = Tensor.ones([2, 2], requiresGrad: true)
        #expect((x + 2).description == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)")
        #expect((x * 3).mean().description == "tensor(3., grad_fn=<MeanBackward0>)")
        let long = Tensor.arange(0, 12, dtype: .float64).requiresGrad_() * 1.5
        #expect(long.description == "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n        12.0000, 13.5000, 15.0000, 16.5000], dtype=float64,\n       grad_fn=<MulBackward0>)")
    }

    @Test func nodeDescriptionLooksLikePython() throws {
        let y = Tensor.ones([1], requiresGrad: true) + 1
        let node = try #require(y.gradFn)
        #expect(node.description.hasPrefix("<AddBackward0 object at 0x"))
        #expect(node.description.hasSuffix(">"))
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
