import Foundation
import Testing
import Flint
@testable import FlintNN

/// Every layer against PyTorch: the state dict loads under PyTorch's names, and the
/// forward values, input gradients, parameter gradients and updated buffers agree.
@Suite struct LayerTests {
    static let builders: [String: @Sendable () -> Module] = [
        "linear": { Linear(5, 3) },
        "linear_3d_nobias": { Linear(4, 2, bias: false) },
        "conv2d": { Conv2d(4, 6, kernelSize: [3, 2], stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2) },
        "conv2d_plain": { Conv2d(1, 3, kernelSize: 3) },
        "max_pool2d": { MaxPool2d(2) },
        "max_pool2d_padded": { MaxPool2d(3, stride: 2, padding: 1) },
        "avg_pool2d": { AvgPool2d(2, stride: 1, padding: 1) },
        "adaptive_avg_pool2d": { AdaptiveAvgPool2d([2, 3]) },
        "batch_norm1d": { BatchNorm1d(3) },
        "batch_norm1d_eval": { BatchNorm1d(3) },
        "batch_norm2d": { BatchNorm2d(2) },
        "layer_norm": { LayerNorm([3, 4]) },
        "embedding": { Embedding(6, 3) },
        "flatten": { Flatten() },
        "relu": { ReLU() },
        "gelu": { GELU() },
        "gelu_tanh": { GELU(approximate: .tanh) },
        "tanh": { Tanh() },
        "sigmoid": { Sigmoid() },
        "softmax": { Softmax(dim: 1) },
        "log_softmax": { LogSoftmax(dim: -1) },
        "dropout_eval": { Dropout(0.5) },
        "sequential": { Sequential(Linear(4, 5), ReLU(), Linear(5, 2)) },
    ]

    @Test(arguments: builders.keys.sorted())
    func matchesPyTorch(_ name: String) throws {
        let fixture = Fixtures.section("layers")[name] as! [String: Any]
        let build = Self.builders[name]!
        let module = build()
        if name.hasSuffix("_eval") { module.eval() }
        var state = StateDict()
        for (key, value) in fixture["state"] as! [String: Any] {
            state[key] = fixtureTensor(value, dtype: key == "num_batches_tracked" ? .int64 : .float32)
        }
        #expect(Set(module.stateDict().keys) == Set(state.keys), "\(name) state dict keys")
        try module.loadStateDict(state)
        let isIndex = name == "embedding"
        let input = fixtureTensor(fixture["input"], dtype: isIndex ? .int64 : .float32)
        if !isIndex { input.requiresGrad = true }
        let y = module(input)
        let expected = fixtureTensor(fixture["output"])
        #expect(y.shape == expected.shape, "\(name) shape")
        expectClose(y.doubles, expected.doubles, "\(name) forward")
        try y.backward(gradient: Tensor(flat: fixtureValues(fixture["gradOutput"]), shape: y.shape))
        if let inputGrad = fixture["inputGrad"] as? [NSNumber] {
            let grad = input.grad?.doubles ?? []
            expectClose(grad, inputGrad.map(\.doubleValue), "\(name) input gradient")
        }
        let params = Dictionary(uniqueKeysWithValues: module.namedParameters())
        for (key, grad) in fixture["paramGrads"] as! [String: Any] {
            let actual = params[key]?.grad?.doubles ?? []
            expectClose(actual, fixtureValues(grad), "\(name).\(key) gradient")
        }
        let after = module.stateDict()
        for (key, value) in fixture["stateAfter"] as! [String: Any] {
            let actual = after[key]?.doubles ?? []
            expectClose(actual, fixtureTensor(value).doubles, "\(name).\(key) after the step")
        }
    }

    /// Runs in a child process: the default generator is process-wide and other tests
    /// draw from it concurrently.
    @Test func defaultInitialisationMatchesPyTorchUnderTheSameSeed() async {
        await #expect(processExitsWith: .success) {
            manualSeed(0)
            let layer = Linear(3, 2)
            // torch.manual_seed(0); nn.Linear(3, 2).weight, .bias
            let weight: [Double] = [-0.004322517663240433, 0.3097158372402191, -0.4751853346824646, -0.4248946011066437, -0.2223689705133438, 0.15482072532176971]
            let bias: [Double] = [-0.011439144611358643, 0.45777493715286255]
            precondition(zip(layer.weight.doubles, weight).allSatisfy { Swift.abs($0 - $1) < 1e-7 }, "weight \(layer.weight.doubles)")
            precondition(zip(layer.bias!.doubles, bias).allSatisfy { Swift.abs($0 - $1) < 1e-7 }, "bias \(layer.bias!.doubles)")
        }
    }

    @Test func modulesFindParametersByName() {
        let model = Sequential(Conv2d(1, 2, kernelSize: 3), BatchNorm2d(2), ReLU(), Flatten(), Linear(8, 3, bias: false))
        #expect(model.namedParameters().map(\.0) == ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight"])
        #expect(model.namedBuffers().map(\.0) == ["1.running_mean", "1.running_var", "1.num_batches_tracked"])
        #expect(model.parameters().allSatisfy { $0.requiresGrad && $0.isLeaf })
        model.eval()
        #expect(model.modules().allSatisfy { !$0.isTraining })
        model.train()
        #expect(model.modules().allSatisfy { $0.isTraining })
    }

    @Test func loadStateDictChecksKeysAndShapes() throws {
        let model = Sequential(Linear(2, 3))
        var state = model.stateDict()
        state["extra"] = Tensor.zeros([1])
        #expect(throws: StateDictError.self) { try model.loadStateDict(state) }
        try model.loadStateDict(state, strict: false)
        var wrong = StateDict()
        wrong["0.weight"] = Tensor.zeros([4, 2])
        wrong["0.bias"] = Tensor.zeros([3])
        do {
            try model.loadStateDict(wrong)
            Issue.record("expected a size mismatch")
        } catch let error as StateDictError {
            #expect(error.description.contains("size mismatch for 0.weight: copying a param with shape torch.Size([4, 2]) from checkpoint, the shape in current model is torch.Size([3, 2])."))
        }
        var missing = StateDict()
        missing["0.weight"] = Tensor.zeros([3, 2])
        do {
            try model.loadStateDict(missing)
            Issue.record("expected a missing key")
        } catch let error as StateDictError {
            #expect(error.description.contains("Missing key(s) in state_dict: \"0.bias\"."))
        }
    }

    @Test func dropoutZeroesAndScalesInTraining() {
        manualSeed(1)
        let x = Tensor.ones([1000])
        let y = Dropout(0.25)(x).scalars(as: Float.self)
        let kept = y.filter { $0 != 0 }
        #expect(kept.allSatisfy { Swift.abs($0 - 1 / 0.75) < 1e-6 })
        #expect(kept.count > 650 && kept.count < 850)
    }
}
