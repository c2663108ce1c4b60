import Flint

/// Something that updates parameters from their gradients (`torch.optim.Optimizer`).
public protocol Optimizer: AnyObject {
    /// The learning rate of each parameter group (schedulers adjust these).
    var learningRates: [Double] { get set }
    /// Updates every parameter that has a gradient, in place, without recording.
    func step()
    /// Clears the gradients of all parameters (to nil, PyTorch's default).
    func zeroGrad()
}

/// Hyperparameters of one parameter group; every optimizer's have a learning rate.
public protocol OptimizerOptions {
    /// The learning rate.
    var lr: Double { get set }
}

/// Parameters sharing one set of hyperparameters.
public struct ParamGroup<Options: OptimizerOptions> {
    /// The tensors this group updates.
    public var params: [Tensor]
    /// Their hyperparameters.
    public var options: Options

    /// A group of `params` with `options`.
    public init(params: [Tensor], options: Options) {
        self.params = params
        self.options = options
    }
}

/// The machinery every optimizer shares: parameter groups, per-parameter state created
/// on first use, and a step that visits each parameter with a gradient under `noGrad`.
/// Subclasses supply `makeState` and `update`.
open class GroupedOptimizer<Options: OptimizerOptions, State>: Optimizer {
    /// The parameter groups, in order.
    public var paramGroups: [ParamGroup<Options>]
    private var state: [ObjectIdentifier: State] = [:]

    /// An optimizer over `groups`.
    public init(groups: [ParamGroup<Options>]) {
        paramGroups = groups
    }

    /// The learning rate of each group.
    public var learningRates: [Double] {
        get { paramGroups.map(\.options.lr) }
        set { for i in paramGroups.indices { paramGroups[i].options.lr = newValue[i] } }
    }

    /// One update of every parameter that has a gradient.
    public func step() {
        noGrad {
            for group in paramGroups {
                for param in group.params {
                    guard let grad = param.grad else { continue }
                    let key = ObjectIdentifier(param)
                    var current = state[key] ?? makeState(for: param, options: group.options)
                    update(param, grad: grad, options: group.options, state: &current)
                    state[key] = current
                }
            }
        }
    }

    /// Sets every parameter's gradient to nil.
    public func zeroGrad() {
        for group in paramGroups { for p in group.params { p.grad = nil } }
    }

    /// The initial state of a parameter (override).
    open func makeState(for param: Tensor, options: Options) -> State {
        fatalError("\(type(of: self)) does not override makeState(for:options:)")
    }

    /// Updates `param` in place from `grad` (override).
    open func update(_ param: Tensor, grad: Tensor, options: Options, state: inout State) {
        fatalError("\(type(of: self)) does not override update(_:grad:options:state:)")
    }
}
