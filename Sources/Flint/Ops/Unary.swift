// Elementwise math of one tensor: forward kernel and derivative side by side. Integer
// inputs compute in float32, as PyTorch does for these functions.

extension Tensor {
    /// Runs `kernel` (over `self` when it is a temporary nothing else holds and the node
    /// does not save it: `isReusableOperand`) and, when recording, attaches `name` with the
    /// given backward formula.
    private consuming func unary(
        _ kernel: UnaryKernel, _ name: StaticString, savesInput: Bool = false, savesOutput: Bool = false,
        _ file: StaticString, _ line: UInt, backward: @escaping FunctionNode.Backward
    ) -> Tensor {
        let overwritesSelf = !savesInput && dtype.isFloatingPoint && Tensor.isReusableOperand(&self)
        let out = overwritesSelf ? overwritten { _ = kernel.run($0, into: $1) } : kernel.run(self)
        guard Tensor.recording(self) else { return out }
        return out.recorded(name, inputs: [self], saving: savesInput ? [self] : [], savingOutput: savesOutput, location: SourceLocation(file: file, line: line), backward: backward)
    }

    /// `e^x` elementwise (ExpBackward0: `grad * result`).
    public consuming func exp(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.exp, "ExpBackward0", savesOutput: true, file, line) { c in [c.grad * c.saved[0]] } }
    /// Natural logarithm (LogBackward0: `grad / x`).
    public func log(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.log, "LogBackward0", savesInput: true, file, line) { c in [c.grad / c.saved[0]] } }
    /// Sine (SinBackward0: `grad * cos(x)`).
    public func sin(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sin, "SinBackward0", savesInput: true, file, line) { c in [Tensor.timesDerivative(c.takeGrad(), of: .sin, at: c.takeSaved(0))] } }
    /// Cosine (CosBackward0: `grad * -sin(x)`).
    public func cos(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.cos, "CosBackward0", savesInput: true, file, line) { c in [Tensor.timesDerivative(c.takeGrad(), of: .cos, at: c.takeSaved(0))] } }

    /// `g·cos(x)` for sine, `g·(−sin(x))` for cosine: composed of differentiable ops
    /// when recorded (double backward), else in one pass with no intermediate tensor.
    private static func timesDerivative(_ g: consuming Tensor, of kernel: UnaryKernel, at x: consuming Tensor) -> Tensor {
        guard !recording(g, x), g.dtype.isFloatingPoint, g.dtype == x.dtype, g.shape == x.shape else {
            return kernel == .sin ? g * x.cos() : g * -x.sin()
        }
        return kernel == .sin ? g.onePass(with: consume x, SineGradient<Float>(), SineGradient<Double>()) : g.onePass(with: consume x, CosineGradient<Float>(), CosineGradient<Double>())
    }
    /// Hyperbolic tangent (TanhBackward0: `grad * (1 - y²)`).
    public consuming func tanh(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.tanh, "TanhBackward0", savesOutput: true, file, line) { c in [c.takeGrad().tanhBackward(output: c.takeSaved(0))] } }
    /// Logistic sigmoid (SigmoidBackward0: `grad * y * (1 - y)`).
    public consuming func sigmoid(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sigmoid, "SigmoidBackward0", savesOutput: true, file, line) { c in [c.takeGrad().sigmoidBackward(output: c.takeSaved(0))] } }
    /// Square root (SqrtBackward0: `grad / (2y)`).
    public consuming func sqrt(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sqrt, "SqrtBackward0", savesOutput: true, file, line) { c in [c.grad / (2 * c.saved[0])] } }
    /// Absolute value (AbsBackward0: `grad * sign(x)`).
    public func abs(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.abs, "AbsBackward0", savesInput: true, file, line) { c in [c.grad * c.saved[0].sign()] } }
    /// `1 / x` (ReciprocalBackward0: `-grad * y²`).
    public consuming func reciprocal(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.reciprocal, "ReciprocalBackward0", savesOutput: true, file, line) { c in [-c.grad * (c.saved[0] * c.saved[0])] } }

    /// `max(x, 0)` (ReluBackward0: `grad` where the result is positive).
    ///
    /// Neither pass writes over its operand: a select written over its own input is
    /// compiled into a branch per element (a conditional store), which mispredicts on
    /// half of a relu's elements and ran ten times slower than a fresh buffer.
    public func relu(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(.relu, "ReluBackward0", savesOutput: true, file, line) { c in [c.grad.thresholdBackward(output: c.saved[0])] }
    }

    /// The error function (ErfBackward0: `grad · 2/√π · e^(-x²)`).
    public func erf(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(.erf, "ErfBackward0", savesInput: true, file, line) { c in
            [c.grad * ((-(c.saved[0] * c.saved[0])).exp() * (2 / Double.pi.squareRoot()))]
        }
    }

    /// Limits every element to `[min, max]` (ClampBackward1: the gradient passes where the
    /// input lies inside the range).
    public func clamp(min: Double? = nil, max: Double? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        var out = self
        noGrad {
            if let min { out = BinaryKernel.maximum.run(out.to(dtype), Tensor(min, dtype: dtype), shape: shape) }
            if let max { out = BinaryKernel.minimum.run(out.to(dtype), Tensor(max, dtype: dtype), shape: shape) }
        }
        if out === self { out = copyData(to: dtype) }
        guard Tensor.recording(self) else { return out }
        return out.recorded("ClampBackward1", inputs: [self], saving: [self], location: SourceLocation(file: file, line: line)) { c in
            var inside = Tensor.ones(like: c.saved[0]).to(.bool)
            if let min { inside = inside & (c.saved[0] .>= min) }
            if let max { inside = inside & (c.saved[0] .<= max) }
            return [c.grad * inside.to(c.grad.dtype)]
        }
    }

    /// `self·(1 - y²)` in one pass: tanh's backward from its output `y`
    /// (TanhBackwardBackward0: `gg·(1 - y²)` for the gradient, `-2·gg·g·y` for `y`).
    consuming func tanhBackward(output y: consuming Tensor) -> Tensor {
        gradient(fromOutput: consume y, TanhGradient<Float>(), TanhGradient<Double>(), "TanhBackwardBackward0", savingSelf: true) { c in
            let (g, y) = (c.saved[0], c.saved[1])
            return [c.needs(0) ? c.grad.tanhBackward(output: y) : nil, c.needs(1) ? c.grad * g * y * -2 : nil]
        }
    }

    /// `self·y·(1 - y)` in one pass: sigmoid's backward from its output `y`
    /// (SigmoidBackwardBackward0: `gg·y·(1 - y)` for the gradient, `gg·g·(1 - 2y)` for `y`).
    consuming func sigmoidBackward(output y: consuming Tensor) -> Tensor {
        gradient(fromOutput: consume y, SigmoidGradient<Float>(), SigmoidGradient<Double>(), "SigmoidBackwardBackward0", savingSelf: true) { c in
            let (g, y) = (c.saved[0], c.saved[1])
            return [c.needs(0) ? c.grad.sigmoidBackward(output: y) : nil, c.needs(1) ? c.grad * g * (1 - y * 2) : nil]
        }
    }

    /// `self` where `y > 0`, else 0, in one pass: relu's backward from its output, as
    /// PyTorch's `threshold_backward` (a NaN output passes the gradient). Its own
    /// derivative (ThresholdBackwardBackward0) is the same mask for the gradient and zero
    /// for `y`.
    func thresholdBackward(output y: Tensor) -> Tensor {
        gradient(fromOutput: y, ThresholdGradient<Float>(), ThresholdGradient<Double>(), "ThresholdBackwardBackward0", savingSelf: false) { c in
            [c.needs(0) ? c.grad.thresholdBackward(output: c.saved[0]) : nil, c.needs(1) ? Tensor.zeros(like: c.grad) : nil]
        }
    }

    /// Runs a one-pass gradient `f(self, y)` of an activation from its output `y`
    /// (`float` or `double` by dtype) and, when recording, a node over `self` and `y`
    /// saving `[self, y]` (or `[y]`).
    private consuming func gradient<F: BinaryFunction, D: BinaryFunction>(
        fromOutput y: consuming Tensor, _ float: F, _ double: D, _ name: StaticString, savingSelf: Bool,
        backward: @escaping FunctionNode.Backward
    ) -> Tensor where F.First == Float, F.Second == Float, F.Output == Float, D.First == Double, D.Second == Double, D.Output == Double {
        guard Tensor.recording(self, y) else {
            let dtype = y.dtype
            return to(dtype).onePass(with: consume y, float, double)
        }
        let out = (copy self).to(y.dtype).onePass(with: copy y, float, double)
        return out.recorded(name, inputs: [self, y], saving: savingSelf ? [self, y] : [y], backward: backward)
    }

    /// `f(self, y)` elementwise into a tensor shaped as `y` (`float` or `double` by dtype;
    /// `self` has `y`'s dtype and broadcasts to its shape): written over `self` when it is a
    /// gradient nothing else holds (`isReusableGradient`), else over `y` when it is a saved
    /// tensor nothing else holds (`isReusableSaved`: an expanded gradient, as a sum's, is no
    /// buffer to write to), else into a fresh tensor. Not recorded.
    private consuming func onePass<F: BinaryFunction, D: BinaryFunction>(with y: consuming Tensor, _ float: F, _ double: D) -> Tensor
    where F.First == Float, F.Second == Float, F.Output == Float, D.First == Double, D.Second == Double, D.Output == Double {
        let out: Tensor
        if dtype == y.dtype && shape == y.shape && Tensor.isReusableGradient(&self) {
            out = self
        } else if Tensor.isReusableSaved(&y) {
            out = y.reusedBuffer
        } else {
            out = Tensor(uninitializedShape: y.shape, dtype: y.dtype, like: y)
        }
        if y.dtype == .float32 { broadcastLoop(self, y, into: out, float) } else { broadcastLoop(self, y, into: out, double) }
        return out
    }

    /// -1, 0 or 1 by sign (its derivative is zero: SignBackward0).
    public func sign(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unary(.sign, "SignBackward0", file, line) { c in [Tensor.zeros(like: c.grad)] }
    }
}

/// `e^x` elementwise.
public func exp(_ x: Tensor) -> Tensor { x.exp() }
/// Natural logarithm elementwise.
public func log(_ x: Tensor) -> Tensor { x.log() }
/// Sine elementwise.
public func sin(_ x: Tensor) -> Tensor { x.sin() }
/// Cosine elementwise.
public func cos(_ x: Tensor) -> Tensor { x.cos() }
/// Hyperbolic tangent elementwise.
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }
/// Logistic sigmoid elementwise.
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }
/// `max(x, 0)` elementwise.
public func relu(_ x: Tensor) -> Tensor { x.relu() }
/// Square root elementwise.
public func sqrt(_ x: Tensor) -> Tensor { x.sqrt() }
/// Absolute value elementwise.
public func abs(_ x: Tensor) -> Tensor { x.abs() }
/// `x` raised to a constant power.
public func pow(_ x: Tensor, _ exponent: Double) -> Tensor { x.pow(exponent) }
/// `x` raised elementwise to `exponent`.
public func pow(_ x: Tensor, _ exponent: Tensor) -> Tensor { x.pow(exponent) }
