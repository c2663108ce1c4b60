import Flint

/// Marks a module property as a trainable parameter: it requires grad and is found by
/// `parameters()` and saved in `stateDict()` under its property name.
@propertyWrapper
public final class Parameter {
    /// The parameter tensor.
    public var wrappedValue: Tensor {
        didSet { wrappedValue.requiresGrad = true }
    }

    /// Wraps `tensor` (a leaf) and turns on its gradient tracking.
    public init(wrappedValue: Tensor) {
        wrappedValue.requiresGrad = true
        self.wrappedValue = wrappedValue
    }
}

/// A parameter that a layer may be built without (a bias): nil when absent.
@propertyWrapper
public final class OptionalParameter {
    /// The parameter tensor, if the layer has one.
    public var wrappedValue: Tensor? {
        didSet { wrappedValue?.requiresGrad = true }
    }

    /// Wraps `tensor` and turns on its gradient tracking.
    public init(wrappedValue: Tensor?) {
        wrappedValue?.requiresGrad = true
        self.wrappedValue = wrappedValue
    }
}

/// Marks a module property as a buffer: state that is saved in `stateDict()` but not
/// trained (running statistics of batch norm).
@propertyWrapper
public final class Buffer {
    /// The buffer tensor.
    public var wrappedValue: Tensor

    /// Wraps `tensor`.
    public init(wrappedValue: Tensor) { self.wrappedValue = wrappedValue }
}

/// The base class of layers and models, as `torch.nn.Module`: parameters, buffers and
/// submodules are found from stored properties (`@Parameter`, `@Buffer`, modules and
/// arrays of modules), named by property in PyTorch's snake_case (`runningMean` is
/// `running_mean`), in declaration order.
open class Module {
    /// Whether the module is in training mode (`train()`) or evaluation mode (`eval()`).
    public private(set) var isTraining = true

    /// Creates a module in training mode.
    public init() {}

    /// Computes the module's output (override in subclasses).
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)) does not override forward(_:)")
    }

    /// Calls `forward(_:)`, so a module is used as `model(x)`.
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input) }

    /// The direct submodules with their names (stored properties; arrays are numbered).
    open var namedChildren: [(String, Module)] {
        var result: [(String, Module)] = []
        for (label, value) in storedProperties() {
            if let module = value as? Module {
                result.append((label, module))
            } else if let modules = value as? [Module] {
                for (i, module) in modules.enumerated() { result.append(("\(label).\(i)", module)) }
            }
        }
        return result
    }

    /// Every parameter of this module and its submodules, with dotted names (`fc1.weight`).
    public func namedParameters() -> [(String, Tensor)] {
        collect { ($0 as? Parameter)?.wrappedValue ?? ($0 as? OptionalParameter)?.wrappedValue }
    }

    /// Every parameter of this module and its submodules.
    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    /// Every buffer of this module and its submodules, with dotted names.
    public func namedBuffers() -> [(String, Tensor)] { collect { ($0 as? Buffer)?.wrappedValue } }

    /// This module and all modules below it, depth first.
    public func modules() -> [Module] { [self] + namedChildren.flatMap { $0.1.modules() } }

    /// Sets training mode on this module and all submodules; returns self.
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for module in modules() { module.isTraining = mode }
        return self
    }

    /// Sets evaluation mode (dropout off, batch norm uses running statistics).
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Converts every floating-point parameter and buffer to `dtype` (`model.double()`
    /// is `model.to(.float64)`); parameters stay leaves that require grad. Returns self.
    @discardableResult
    public func to(_ dtype: DType) -> Self {
        precondition(dtype.isFloatingPoint, "Module.to: only floating-point dtypes are supported, got \(dtype)")
        noGrad {
            for module in modules() {
                for (_, value) in module.storedProperties() {
                    if let p = value as? Parameter, p.wrappedValue.dtype.isFloatingPoint {
                        p.wrappedValue = p.wrappedValue.to(dtype).detach()
                    } else if let p = value as? OptionalParameter, let t = p.wrappedValue, t.dtype.isFloatingPoint {
                        p.wrappedValue = t.to(dtype).detach()
                    } else if let b = value as? Buffer, b.wrappedValue.dtype.isFloatingPoint {
                        b.wrappedValue = b.wrappedValue.to(dtype).detach()
                    }
                }
            }
        }
        return self
    }

    /// Clears every parameter's gradient (PyTorch's default `set_to_none=True`).
    public func zeroGrad() {
        for p in parameters() { p.grad = nil }
    }

    /// Parameters and buffers by dotted name, in registration order.
    public func stateDict() -> StateDict {
        var state = StateDict()
        let own = collect { value -> Tensor? in
            (value as? Parameter)?.wrappedValue ?? (value as? OptionalParameter)?.wrappedValue ?? (value as? Buffer)?.wrappedValue
        }
        for (name, tensor) in own { state[name] = tensor.detach() }
        return state
    }

    /// Copies values from `state` into the parameters and buffers (under `noGrad`).
    /// With `strict`, missing and unexpected keys are errors; shapes must always match.
    /// Nothing is changed when it throws.
    public func loadStateDict(_ state: StateDict, strict: Bool = true) throws {
        let mine = stateDict()
        var problems: [String] = []
        let missing = mine.keys.filter { state[$0] == nil }
        let unexpected = state.keys.filter { mine[$0] == nil }
        if strict && !unexpected.isEmpty {
            problems.append("Unexpected key(s) in state_dict: " + unexpected.map { "\"\($0)\"" }.joined(separator: ", ") + ". ")
        }
        if strict && !missing.isEmpty {
            problems.append("Missing key(s) in state_dict: " + missing.map { "\"\($0)\"" }.joined(separator: ", ") + ". ")
        }
        for (name, target) in mine {
            if let source = state[name], source.shape != target.shape {
                problems.append("size mismatch for \(name): copying a param with shape torch.Size(\(source.shape)) from checkpoint, the shape in current model is torch.Size(\(target.shape)).")
            }
        }
        guard problems.isEmpty else {
            throw StateDictError(description: "Error(s) in loading state_dict for \(type(of: self)):\n\t" + problems.joined(separator: "\n\t"))
        }
        noGrad {
            for (name, target) in mine { if let source = state[name] { target.copy_(source) } }
        }
    }

    /// Stored properties of this instance, superclass first, wrapper underscores removed.
    private func storedProperties() -> [(String, Any)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            mirrors.insert(m, at: 0)
            mirror = m.superclassMirror
        }
        return mirrors.flatMap { m in
            m.children.compactMap { child in
                guard let label = child.label else { return nil }
                return (snakeCased(label.hasPrefix("_") ? String(label.dropFirst()) : label), child.value)
            }
        }
    }

    /// Walks this module's own properties, then its children's, keeping what `pick` maps.
    private func collect<T>(prefix: String = "", _ pick: (Any) -> T?) -> [(String, T)] {
        var result: [(String, T)] = []
        for (label, value) in storedProperties() {
            if let item = pick(value) { result.append((prefix + label, item)) }
        }
        for (name, child) in namedChildren {
            result += child.collect(prefix: prefix + name + ".", pick)
        }
        return result
    }
}

/// PyTorch's spelling of a Swift property name in state dictionaries:
/// `runningMean` is saved as `running_mean`, so checkpoints interchange with PyTorch.
func snakeCased(_ name: String) -> String {
    var out = ""
    for ch in name {
        if ch.isUppercase {
            if !out.isEmpty { out.append("_") }
            out.append(Character(ch.lowercased()))
        } else {
            out.append(ch)
        }
    }
    return out
}

/// Tensors by name in insertion order: what `stateDict()` returns and checkpoints hold.
public struct StateDict: Sequence {
    private var order: [String] = []
    private var values: [String: Tensor] = [:]

    /// An empty dictionary.
    public init() {}

    /// The names, in insertion order.
    public var keys: [String] { order }

    /// Number of entries.
    public var count: Int { order.count }

    /// The tensor stored under `name`; assigning nil removes it.
    public subscript(name: String) -> Tensor? {
        get { values[name] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: name) == nil { order.append(name) }
            } else if values.removeValue(forKey: name) != nil {
                order.removeAll { $0 == name }
            }
        }
    }

    /// Iterates `(name, tensor)` pairs in insertion order.
    public func makeIterator() -> AnyIterator<(String, Tensor)> {
        var names = order.makeIterator()
        return AnyIterator { names.next().map { ($0, values[$0]!) } }
    }
}

/// A state dictionary that does not fit the module (PyTorch's wording).
public struct StateDictError: Error, CustomStringConvertible {
    /// What did not match.
    public let description: String
}

extension Module {
    /// This module applied to `input` with gradient checkpointing: its activations are
    /// not kept but recomputed in backward (`torch.utils.checkpoint` around the module).
    /// The module's parameters receive their gradients as usual.
    public func checkpointed(_ input: Tensor) -> Tensor {
        Autograd.checkpoint([input], parameters: parameters()) { self($0[0]) }
    }
}
