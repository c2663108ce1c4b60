import Testing
@testable import Flint

/// Saved-tensor hooks see every tensor a node saves and give it back in backward.
@Suite struct SavedTensorHookTests {
    final class Log: @unchecked Sendable {
        var packed: [[Int]] = []
        var unpacked = 0
    }

    @Test func packAndUnpackEverySavedTensor() throws {
        let log = Log()
        let x = Tensor([0.5, 1.5, -2.0], dtype: .float64, requiresGrad: true)
        let z = try Autograd.savedTensorHooks(pack: { tensor -> Any in
            log.packed.append(tensor.shape)
            return tensor.to(.float32).clone()
        }, unpack: { value in
            log.unpacked += 1
            return (value as! Tensor).to(.float64)
        }) {
            let y = x * x
            return y.exp().sum()
        }
        #expect(log.packed.count == 3)
        try z.backward()
        #expect(log.unpacked == 3)
        let expected = x.scalars(as: Double.self).map { 2 * $0 * Foundation_exp($0 * $0) }
        for (g, e) in zip(x.grad!.scalars(as: Double.self), expected) { #expect(Swift.abs(g - e) < 1e-4 * Swift.abs(e)) }
    }

    @Test func hooksAreScopedAndNest() throws {
        let outer = Log(), inner = Log()
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = try Autograd.savedTensorHooks(pack: { outer.packed.append($0.shape); return $0 }, unpack: { $0 as! Tensor }) {
            let a = x.sin()
            let b = Autograd.savedTensorHooks(pack: { inner.packed.append($0.shape); return $0 }, unpack: { $0 as! Tensor }) { a.cos() }
            return (a * b).sum()
        }
        #expect(inner.packed.count == 1 && outer.packed.count == 3)
        let unhooked = (x * x).sum()
        #expect(outer.packed.count == 3)
        try y.backward()
        try unhooked.backward()
    }

    /// A number operand is saved (and packed) under hooks, as PyTorch's MulBackward0
    /// saves its wrapped `other`; without hooks the backward closure holds it. The
    /// gradients agree.
    @Test func numberOperandsArePackedUnderHooks() throws {
        let log = Log()
        let x = Tensor([1.0, -2.0, 3.0], requiresGrad: true)
        let y = Autograd.savedTensorHooks(pack: { log.packed.append($0.shape); return $0 }, unpack: { $0 as! Tensor }) { (x * 2.5 / 4).sum() }
        #expect(log.packed == [[], []])
        try y.backward()
        let hooked = x.grad!.scalars(as: Double.self)
        x.grad = nil
        try (x * 2.5 / 4).sum().backward()
        #expect(hooked == [0.625, 0.625, 0.625] && x.grad!.scalars(as: Double.self) == hooked)
    }

    /// A hook that changes the operand it is handed changes only that op's copy: the
    /// number tensors Flint shares between ops are never handed to hooks.
    @Test func hooksNeverSeeSharedNumberTensors() throws {
        let x = Tensor([1.0, -2.0], requiresGrad: true)
        let before = (x * 2.5).scalars(as: Float.self)
        _ = Autograd.savedTensorHooks(pack: { tensor -> Any in
            if tensor.rank == 0 { noGrad { _ = tensor.mul_(Tensor(0.0)) } }
            return tensor
        }, unpack: { $0 as! Tensor }) { x * 2.5 }
        #expect(before == [2.5, -5] && (x * 2.5).scalars(as: Float.self) == before)
    }

    /// A float32 convolution keeps its unfolded columns for backward only without hooks:
    /// under hooks it saves the input and the weight, as PyTorch's does, and its
    /// gradients are the same either way.
    @Test func convolutionSavesInputAndWeightUnderHooks() throws {
        let log = Log()
        let xValues: [Float] = (0..<100).map { Float($0 % 7) / 7 }
        let wValues: [Float] = (0..<54).map { Float($0 % 5) / 5 - 0.4 }
        let x = Tensor(flat: xValues, shape: [2, 2, 5, 5])
        func weightGradient(hooked: Bool) throws -> [Double] {
            let w = Tensor(flat: wValues, shape: [3, 2, 3, 3]).requiresGrad_()
            let loss = hooked
                ? Autograd.savedTensorHooks(pack: { log.packed.append($0.shape); return $0 }, unpack: { $0 as! Tensor }) { x.conv2d(weight: w).sum() }
                : x.conv2d(weight: w).sum()
            try loss.backward()
            return w.grad!.scalars(as: Double.self)
        }
        let hooked = try weightGradient(hooked: true)
        #expect(log.packed == [[2, 2, 5, 5], [3, 2, 3, 3]])
        #expect(hooked == (try weightGradient(hooked: false)))
    }
}
