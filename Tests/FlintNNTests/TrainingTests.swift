import Foundation
import Testing
import Flint
@testable import FlintNN

/// Losses, optimizers, schedulers and clipping against PyTorch, and whole training runs
/// that must follow PyTorch's loss curve.
@Suite struct TrainingTests {
    static let lossBuilders: [String: @Sendable (Reduction) -> any Loss] = [
        "mse": { MSELoss(reduction: $0) },
        "l1": { L1Loss(reduction: $0) },
        "cross_entropy": { CrossEntropyLoss(reduction: $0) },
        "cross_entropy_smoothing": { CrossEntropyLoss(reduction: $0, labelSmoothing: 0.1) },
        "cross_entropy_ignore": { CrossEntropyLoss(reduction: $0, ignoreIndex: -100, labelSmoothing: 0.2) },
        "nll": { NLLLoss(reduction: $0) },
        "nll_ignore": { NLLLoss(reduction: $0, ignoreIndex: -100) },
        "bce": { BCELoss(reduction: $0) },
        "bce_with_logits": { BCEWithLogitsLoss(reduction: $0) },
    ]

    static var lossCases: [String] { Fixtures.section("losses").keys.sorted() }

    @Test(arguments: lossCases)
    func lossMatchesPyTorch(_ name: String) throws {
        let fixture = Fixtures.section("losses")[name] as! [String: Any]
        let reductionName = name.split(separator: "_").last!
        let reduction: Reduction = reductionName == "mean" ? .mean : reductionName == "sum" ? .sum : .none
        let make = Self.lossBuilders[String(name.dropLast(reductionName.count + 1))]!
        let input = fixtureTensor(fixture["input"])
        input.requiresGrad = true
        let target = fixtureTensor(fixture["target"], dtype: (fixture["targetIsIndex"] as! Bool) ? .int64 : .float32)
        let criterion = make(reduction)
        let loss = criterion.callAsFunction(input, target)
        let expected = fixtureTensor(fixture["output"])
        #expect(loss.shape == expected.shape)
        expectClose(loss.doubles, expected.doubles, "\(name) value")
        try loss.backward(gradient: Tensor(flat: fixtureValues(fixture["gradOutput"]), shape: loss.shape))
        expectClose(input.grad?.doubles ?? [], fixtureValues(fixture["inputGrad"]), "\(name) gradient")
    }

    static let optimizerBuilders: [String: @Sendable ([Tensor]) -> any Optimizer] = [
        "sgd": { SGD($0, lr: 0.1) },
        "sgd_momentum": { SGD($0, lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) },
        "sgd_nesterov": { SGD($0, lr: 0.05, momentum: 0.8, nesterov: true) },
        "adam": { Adam($0, lr: 0.01, weightDecay: 0.1) },
        "adamw": { AdamW($0, lr: 0.01, betas: (0.8, 0.99)) },
        "rmsprop": { RMSprop($0, lr: 0.01) },
        "rmsprop_centered": { RMSprop($0, lr: 0.01, alpha: 0.9, weightDecay: 0.05, momentum: 0.5, centered: true) },
        "adagrad": { Adagrad($0, lr: 0.1, lrDecay: 0.01, weightDecay: 0.02, initialAccumulatorValue: 0.1) },
        "sgd_groups": { params in
            SGD(groups: [ParamGroup(params: [params[0]], options: .init(lr: 0.1, momentum: 0.5)),
                         ParamGroup(params: [params[1]], options: .init(lr: 0.01, momentum: 0.5))])
        },
    ]

    @Test(arguments: optimizerBuilders.keys.sorted())
    func optimizerFollowsPyTorchFor20Steps(_ name: String) {
        let fixture = Fixtures.section("optimizers")[name] as! [String: Any]
        let params = (fixture["initial"] as! [Any]).map { fixtureTensor($0).requiresGrad_() }
        let optimizer = Self.optimizerBuilders[name]!(params)
        let grads = fixture["grads"] as! [[Any]], after = fixture["after"] as! [[Any]]
        for step in 0..<20 {
            for (p, g) in zip(params, grads[step]) { p.grad = Tensor(flat: fixtureValues(g), shape: p.shape) }
            optimizer.step()
            for (k, p) in params.enumerated() {
                expectClose(p.doubles, fixtureValues(after[step][k]), atol: 1e-6, rtol: 1e-6, "\(name) step \(step + 1) param \(k)")
            }
        }
        optimizer.zeroGrad()
        #expect(params.allSatisfy { $0.grad == nil })
    }

    /// SGD's fused float32 step (from the second step on) equals the op-by-op update
    /// exactly, for each combination of dampening, weight decay and Nesterov momentum, on
    /// a parameter large enough to be split across threads (unevenly).
    @Test func fusedSGDStepEqualsElementwiseOps() {
        let configs: [(momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool)] = [
            (0.9, 0, 0, false), (0.9, 0.1, 0.01, false), (0.8, 0, 0.02, true),
        ]
        for c in configs {
            let initial = Tensor.arange(0, 200_003, dtype: .float32).sin()
            let param = initial.clone().requiresGrad_()
            let optimizer = SGD([param], lr: 0.05, momentum: c.momentum, dampening: c.dampening, weightDecay: c.weightDecay, nesterov: c.nesterov)
            let expected = initial.clone()
            var buffer: Tensor?
            for step in 0..<5 {
                let grad = (Tensor.arange(0, 200_003, dtype: .float32) * Double(step + 1)).cos()
                param.grad = grad
                optimizer.step()
                var d = grad + expected * c.weightDecay
                if let b = buffer {
                    b *= c.momentum
                    b.add_(d, alpha: 1 - c.dampening)
                } else {
                    buffer = d.clone()
                }
                d = c.nesterov ? d + buffer! * c.momentum : buffer!
                expected.add_(d, alpha: -0.05)
                #expect(param.detach().scalars(as: Float.self) == expected.scalars(as: Float.self), "\(c) step \(step + 1)")
            }
        }
    }

    @Test func schedulersMatchPyTorch() {
        let fixture = Fixtures.section("schedulers")
        let builders: [(String, (Optimizer) -> LRScheduler)] = [
            ("step_lr", { StepLR($0, stepSize: 3, gamma: 0.5) }),
            ("cosine", { CosineAnnealingLR($0, tMax: 7, etaMin: 0.01) }),
            ("linear", { LinearLR($0, startFactor: 0.25, totalIters: 6) }),
        ]
        for (name, make) in builders {
            let optimizer = SGD([Tensor.zeros([1], requiresGrad: true)], lr: 0.5)
            let scheduler = make(optimizer)
            var lrs = [optimizer.learningRates[0]]
            for _ in 0..<20 {
                optimizer.step()
                scheduler.step()
                lrs.append(optimizer.learningRates[0])
            }
            expectClose(lrs, fixtureValues(fixture[name]), atol: 1e-12, rtol: 1e-9, "\(name) learning rates")
        }
    }

    @Test func clippingMatchesPyTorch() {
        let fixture = Fixtures.section("clipping")
        let grads = (fixture["grads"] as! [Any]).map { fixtureTensor($0) }
        func fresh() -> [Tensor] {
            grads.map { g in
                let p = Tensor.zeros(g.shape, requiresGrad: true)
                p.grad = g.clone()
                return p
            }
        }
        for (name, clip) in [("norm", { (ps: [Tensor]) -> Double? in clipGradNorm(ps, maxNorm: 1.5) }),
                             ("norm_inf", { clipGradNorm($0, maxNorm: 0.5, normType: .infinity) }),
                             ("value", { clipGradValue($0, clipValue: 0.4); return nil })] {
            let expected = fixture[name] as! [String: Any]
            let params = fresh()
            let total = clip(params)
            if let total { expectClose([total], [(expected["total"] as! NSNumber).doubleValue], "\(name) total norm") }
            for (k, p) in params.enumerated() {
                expectClose(p.grad!.doubles, fixtureValues((expected["clipped"] as! [Any])[k]), atol: 1e-6, rtol: 1e-5, "\(name) grad \(k)")
            }
        }
    }

    @Test(arguments: ["mlp", "cnn"])
    func trainingFollowsPyTorchFor100Steps(_ name: String) throws {
        let data = try Safetensors.load(from: Fixtures.path("train_data.safetensors"))
        let (x, y) = (data["x"]!, data["y"]!)
        let model: Module, optimizer: Optimizer
        if name == "mlp" {
            model = Sequential(Linear(64, 32), ReLU(), Linear(32, 10))
        } else {
            model = Sequential(Conv2d(1, 4, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2), Conv2d(4, 8, kernelSize: 3), ReLU(), Flatten(), Linear(32, 10))
        }
        try model.loadStateDict(Safetensors.load(from: Fixtures.path("\(name)_init.safetensors")))
        optimizer = name == "mlp" ? SGD(model.parameters(), lr: 0.05, momentum: 0.9) : Adam(model.parameters(), lr: 0.005)
        let lossFunction = CrossEntropyLoss()
        var losses: [Double] = []
        for step in 0..<100 {
            let start = (step * 16) % 256
            var xb = x[start..<(start + 16)]
            if name == "mlp" { xb = xb.reshape([16, 64]) }
            optimizer.zeroGrad()
            let loss = lossFunction(model(xb), y[start..<(start + 16)])
            try loss.backward()
            optimizer.step()
            losses.append(loss.item())
        }
        expectClose(losses, fixtureValues(Fixtures.section("training")[name]), atol: 0, rtol: 1e-4, "\(name) losses")
    }
}
