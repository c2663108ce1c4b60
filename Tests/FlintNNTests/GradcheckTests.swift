import Testing
import Flint
@testable import FlintNN

/// Every layer and loss in float64, through Flint's public `Autograd.gradcheck`:
/// gradients with respect to the input and to every parameter agree with central
/// differences (PyTorch's tolerances).
@Suite struct GradcheckTests {
    static let layers: [String: @Sendable () -> (Module, [Int])] = [
        "Linear": { (Linear(3, 2), [2, 3]) },
        "Conv2d": { (Conv2d(2, 4, kernelSize: [2, 3], stride: [1, 2], padding: 1, dilation: [2, 1], groups: 2), [1, 2, 4, 5]) },
        "MaxPool2d": { (MaxPool2d(2, stride: 1), [1, 2, 3, 3]) },
        "AvgPool2d": { (AvgPool2d(2, padding: 1), [1, 1, 3, 4]) },
        "AdaptiveAvgPool2d": { (AdaptiveAvgPool2d([2, 2]), [1, 2, 3, 5]) },
        "BatchNorm1d": { (BatchNorm1d(3), [4, 3]) },
        "BatchNorm2d": { (BatchNorm2d(2), [2, 2, 2, 2]) },
        "LayerNorm": { (LayerNorm([4]), [3, 4]) },
        "Flatten": { (Flatten(), [2, 2, 3]) },
        "ReLU": { (ReLU(), [2, 5]) },
        "GELU": { (GELU(), [2, 5]) },
        "GELUTanh": { (GELU(approximate: .tanh), [2, 5]) },
        "Tanh": { (Tanh(), [2, 5]) },
        "Sigmoid": { (Sigmoid(), [2, 5]) },
        "Softmax": { (Softmax(dim: 1), [2, 5]) },
        "LogSoftmax": { (LogSoftmax(dim: 0), [2, 5]) },
        "Sequential": { (Sequential(Linear(3, 4), Tanh(), Linear(4, 2)), [2, 3]) },
    ]

    @Test(arguments: layers.keys.sorted())
    func layer(_ name: String) throws {
        let (module, shape) = Self.layers[name]!()
        module.to(.float64)
        let count = shape.reduce(1, *)
        let values: [Double] = (0..<count).map { i in
            let base = Double((i * 37) % 23) / 23 - 0.5
            let nudge: Double = i % 2 == 0 ? 0.05 : -0.05
            return base * 2 + nudge
        }
        let x = Tensor(flat: values, shape: shape, dtype: .float64, requiresGrad: true)
        #expect(module.parameters().allSatisfy { $0.dtype == .float64 && $0.requiresGrad })
        try Autograd.gradcheck({ _ in module(x) }, inputs: [x] + module.parameters())
    }

    @Test func embedding() throws {
        let module = Embedding(5, 3).to(.float64)
        let indices = Tensor([[0, 4], [2, 0]])
        try Autograd.gradcheck({ _ in module(indices) }, inputs: module.parameters())
    }

    @Test func losses() throws {
        let logits = Tensor(flat: (0..<12).map { Double(($0 * 5) % 7) / 3 - 1 }, shape: [4, 3], dtype: .float64, requiresGrad: true)
        let labels = Tensor([2, 0, -100, 1])
        let regression = Tensor(flat: (0..<12).map { Double(($0 * 3) % 5) / 4 - 0.3 }, shape: [4, 3], dtype: .float64)
        let probabilities = Tensor(flat: (0..<12).map { 0.1 + 0.8 * Double(($0 * 5) % 11) / 11 }, shape: [4, 3], dtype: .float64, requiresGrad: true)
        let binary = Tensor(flat: (0..<12).map { Double($0 % 2) }, shape: [4, 3], dtype: .float64)
        for reduction in [Reduction.mean, .sum, .none] {
            try Autograd.gradcheck({ _ in MSELoss(reduction: reduction)(logits, regression) }, inputs: [logits])
            try Autograd.gradcheck({ _ in L1Loss(reduction: reduction)(logits, regression) }, inputs: [logits])
            try Autograd.gradcheck({ _ in CrossEntropyLoss(reduction: reduction, labelSmoothing: 0.15)(logits, labels) }, inputs: [logits])
            try Autograd.gradcheck({ _ in NLLLoss(reduction: reduction)(logits.logSoftmax(dim: 1), labels) }, inputs: [logits])
            try Autograd.gradcheck({ _ in BCELoss(reduction: reduction)(probabilities, binary) }, inputs: [probabilities])
            try Autograd.gradcheck({ _ in BCEWithLogitsLoss(reduction: reduction)(logits, binary) }, inputs: [logits])
        }
        // Without smoothing, cross-entropy is NllLossBackward0 over LogSoftmaxBackward0, as
        // PyTorch's graph; second derivatives go through both (a Hessian-vector product).
        for reduction in [Reduction.mean, .sum] {
            let loss = CrossEntropyLoss(reduction: reduction)(logits, labels)
            #expect(loss.gradFn?.name == "NllLossBackward0")
            #expect(loss.gradFn?.nextFunctions.first?.node?.name == "LogSoftmaxBackward0")
            try Autograd.gradgradcheck({ _ in CrossEntropyLoss(reduction: reduction)(logits, labels) }, inputs: [logits])
        }
    }

    /// Every target ignored: the mean is NaN and the gradient zero, as PyTorch's.
    @Test func crossEntropyWithEveryTargetIgnored() throws {
        let logits = Tensor(flat: (0..<6).map { Double($0) / 5 }, shape: [2, 3], requiresGrad: true)
        let loss = CrossEntropyLoss()(logits, Tensor([-100, -100]))
        #expect(loss.item().isNaN)
        try loss.backward()
        #expect(logits.grad?.scalars(as: Double.self) == [0, 0, 0, 0, 0, 0])
    }
}
