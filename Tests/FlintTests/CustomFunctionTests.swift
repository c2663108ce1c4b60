import Foundation
import Testing
@testable import Flint

enum MyExp: Function {
    static func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) -> Tensor {
        let y = inputs[0].exp()
        ctx.saveForBackward(y)
        return y
    }
    static func backward(_ ctx: FunctionContext, _ grad: Tensor) -> [Tensor?] {
        [grad * ctx.savedTensors()[0]]
    }
}

enum MulAdd: Function {
    static func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) -> Tensor {
        ctx.saveForBackward(inputs[0], inputs[1])
        return inputs[0] * inputs[1] + inputs[0]
    }
    static func backward(_ ctx: FunctionContext, _ grad: Tensor) -> [Tensor?] {
        let (x, y) = (ctx.savedTensors()[0], ctx.savedTensors()[1])
        return [ctx.needsInputGrad[0] ? grad * (y + 1) : nil, ctx.needsInputGrad[1] ? grad * x : nil]
    }
}

/// A ReLU whose backward uses a mask computed without recording: once differentiable.
enum OnceRelu: Function {
    static func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) -> Tensor {
        ctx.saveForBackward(inputs[0])
        return inputs[0].relu()
    }
    static func backward(_ ctx: FunctionContext, _ grad: Tensor) -> [Tensor?] {
        [grad * (ctx.savedTensors()[0] .> 0).to(grad.dtype)]
    }
    static var isOnceDifferentiable: Bool { true }
}

/// Adds one in place and says so.
enum AddOneInPlace: Function {
    static func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) -> Tensor {
        inputs[0].add_(Tensor(1.0, dtype: inputs[0].dtype))
        ctx.markDirty(inputs[0])
        return inputs[0]
    }
    static func backward(_ ctx: FunctionContext, _ grad: Tensor) -> [Tensor?] { [grad] }
}

/// Returns indices: not differentiable.
enum ArgmaxFunction: Function {
    static func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) -> Tensor {
        let indices = inputs[0].argmax(dim: 0)
        ctx.markNonDifferentiable(indices)
        return indices
    }
    static func backward(_ ctx: FunctionContext, _ grad: Tensor) -> [Tensor?] { [nil] }
}

/// Custom functions against PyTorch's `autograd.Function` results.
@Suite struct CustomFunctionTests {
    nonisolated(unsafe) static let expected: [String: [String: Any]] = {
        let url = Bundle.module.url(forResource: "torch_fixtures", withExtension: "json", subdirectory: "Fixtures")!
        let json = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return json["customFunctions"] as! [String: [String: Any]]
    }()

    func close(_ t: Tensor?, _ key: String, _ entry: String) {
        let e = (Self.expected[entry]![key] as! [NSNumber]).map(\.doubleValue)
        let got = t?.scalars(as: Double.self) ?? []
        #expect(got.count == e.count && zip(got, e).allSatisfy { Swift.abs($0 - $1) < 1e-12 }, "\(entry).\(key): \(got) vs \(e)")
    }

    func inputs() -> (Tensor, Tensor) {
        (Tensor([0.3, -0.7, 1.1], dtype: .float64, requiresGrad: true), Tensor([0.5, 0.2, -0.9], dtype: .float64, requiresGrad: true))
    }

    @Test func doubleDifferentiableFunctionsMatchPyTorch() throws {
        let (x, y) = inputs()
        let e = try MyExp.apply(x * 2)
        #expect(e.gradFn?.name == Self.expected["myexp"]!["name"] as? String)
        close(e, "value", "myexp")
        let gx = try Autograd.grad(outputs: [e.sum()], inputs: [x], createGraph: true)[0]
        close(gx, "grad", "myexp")
        close(try Autograd.grad(outputs: [gx!.sum()], inputs: [x])[0], "gradgrad", "myexp")

        let m = try MulAdd.apply(x, y)
        #expect(m.gradFn?.name == "MulAddBackward")
        #expect(m.gradFn?.nextFunctions.count == 2)
        close(m, "value", "muladd")
        let grads = try Autograd.grad(outputs: [(m * m).sum()], inputs: [x, y], createGraph: true)
        close(grads[0], "gradX", "muladd")
        close(grads[1], "gradY", "muladd")
        close(try Autograd.grad(outputs: [(grads[0]! * grads[1]!).sum()], inputs: [y])[0], "gradgradY", "muladd")
        try Autograd.gradcheck({ try MulAdd.apply($0) }, inputs: [x, y])
        try Autograd.gradgradcheck({ try MulAdd.apply($0) }, inputs: [x, y])
    }

    @Test func needsInputGradAndSavedVersions() throws {
        let x = Tensor([1.0, 2.0], dtype: .float64, requiresGrad: true)
        let constant = Tensor([3.0, 4.0], dtype: .float64)
        let m = try MulAdd.apply(x, constant)
        #expect(m.gradFn?.nextFunctions[1].node == nil)
        try m.sum().backward(retainGraph: true)
        #expect(x.grad?.scalars(as: Double.self) == [4, 5])
        noGrad { constant.add_(Tensor(1.0, dtype: .float64)) }
        do {
            try m.sum().backward()
            Issue.record("expected a version error")
        } catch let error as AutogradError {
            #expect(error.kind == .modifiedByInplace)
        }
    }

    @Test func onceDifferentiableRefusesDoubleBackward() throws {
        // The gradient reaching OnceRelu (x) requires grad, so differentiating again must
        // go through its backward, which refuses, as PyTorch's @once_differentiable.
        let x = Tensor([0.5, -0.5], dtype: .float64, requiresGrad: true)
        let g = try Autograd.grad(outputs: [(try OnceRelu.apply(x) * x).sum()], inputs: [x], retainGraph: true, createGraph: true)[0]!
        #expect(g.scalars(as: Double.self) == [1, 0])
        // PyTorch raises here on backward(); Flint raises on Autograd.grad too, where
        // PyTorch would silently leave out this path.
        for differentiate in [{ try g.sum().backward() }, { _ = try Autograd.grad(outputs: [g.sum()], inputs: [x]) }] {
            do {
                try differentiate()
                Issue.record("expected an error")
            } catch let error as AutogradError {
                #expect(error.description.contains("trying to differentiate twice a function that was marked with @once_differentiable"))
            }
        }
    }

    @Test func dirtyAndNonDifferentiableOutputs() throws {
        let x = Tensor([1.0, 5.0, 2.0], requiresGrad: true)
        let h = x * 2
        let same = try AddOneInPlace.apply(h)
        #expect(same === h && h.gradFn?.name == "AddOneInPlaceBackward")
        #expect(h.scalars(as: Float.self) == [3, 11, 5])
        try (h * h).sum().backward()
        #expect(x.grad?.scalars(as: Float.self) == [12, 44, 20])
        let indices = try ArgmaxFunction.apply(x)
        #expect(indices.gradFn == nil && !indices.requiresGrad && indices.item() == 1)
    }
}
