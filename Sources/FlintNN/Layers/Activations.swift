import Flint

/// `max(x, 0)` (`torch.nn.ReLU`).
public final class ReLU: Module {
    /// A ReLU layer.
    public override init() {}
    /// `relu(x)`.
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// The Gaussian error linear unit (`torch.nn.GELU`): exact `x·Φ(x)`, or the tanh
/// approximation with `approximate: .tanh`.
public final class GELU: Module {
    /// How Φ is computed.
    public enum Approximation: Sendable { case none, tanh }
    /// The chosen form.
    public let approximate: Approximation

    /// A GELU layer.
    public init(approximate: Approximation = .none) { self.approximate = approximate }

    /// `0.5·x·(1 + erf(x/√2))`, or `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
    public override func forward(_ input: Tensor) -> Tensor {
        switch approximate {
        case .none: return input * 0.5 * ((input / 2.0.squareRoot()).erf() + 1)
        case .tanh: return input * 0.5 * (((input + input * input * input * 0.044715) * (2 / Double.pi).squareRoot()).tanh() + 1)
        }
    }
}

/// Hyperbolic tangent (`torch.nn.Tanh`).
public final class Tanh: Module {
    /// A tanh layer.
    public override init() {}
    /// `tanh(x)`.
    public override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// Logistic sigmoid (`torch.nn.Sigmoid`).
public final class Sigmoid: Module {
    /// A sigmoid layer.
    public override init() {}
    /// `sigmoid(x)`.
    public override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// Softmax along `dim` (`torch.nn.Softmax`).
public final class Softmax: Module {
    let dim: Int
    /// A softmax layer over `dim`.
    public init(dim: Int) { self.dim = dim }
    /// `softmax(x, dim)`.
    public override func forward(_ input: Tensor) -> Tensor { input.softmax(dim: dim) }
}

/// Log-softmax along `dim` (`torch.nn.LogSoftmax`).
public final class LogSoftmax: Module {
    let dim: Int
    /// A log-softmax layer over `dim`.
    public init(dim: Int) { self.dim = dim }
    /// `logSoftmax(x, dim)`.
    public override func forward(_ input: Tensor) -> Tensor { input.logSoftmax(dim: dim) }
}
