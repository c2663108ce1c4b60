import ArgumentParser
import Flint
import FlintNN
import Foundation

/// `flint train`: trains a small network on the bundled handwritten digits.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a network on the UCI handwritten digits (8x8, 10 classes) shipped with Flint.",
        discussion: "Prints a live progress bar, reports test accuracy, saves the weights as model.safetensors and the loss and accuracy curves as training.svg in the output directory."
    )

    enum ModelKind: String, ExpressibleByArgument, CaseIterable {
        case cnn, mlp
    }

    enum OptimizerKind: String, ExpressibleByArgument, CaseIterable {
        case adam, adamw, sgd, rmsprop, adagrad
    }

    @Option(help: "Model: \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: ModelKind = .cnn

    @Option(help: "Passes over the training set.")
    var epochs: Int = 20

    @Option(help: "Samples per optimizer step.")
    var batchSize: Int = 32

    @Option(help: "Learning rate.")
    var lr: Double = 0.002

    @Option(help: "Optimizer: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var optimizer: OptimizerKind = .adam

    @Option(help: "Seed for initialisation, the train/test split and shuffling.")
    var seed: UInt64 = 0

    @Option(help: "Directory for model.safetensors and training.svg.")
    var outputDir: String = "flint-train-output"

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be positive") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard lr > 0 else { throw ValidationError("--lr must be positive") }
    }

    func run() throws {
        manualSeed(seed)
        let (train, test) = Digits.split(try Digits.load(), testFraction: 0.2, seed: seed)
        let network = makeModel()
        let parameters = network.parameters()
        let optimizer = makeOptimizer(parameters)
        let loader = DataLoader(train, batchSize: batchSize, shuffle: true, seed: seed)
        let lossFunction = CrossEntropyLoss()
        let progress = ProgressBar(total: loader.count)
        print("Training a \(model.rawValue.uppercased()) (\(parameters.reduce(0) { $0 + $1.count }) parameters) on \(train.count) digits, testing on \(test.count); \(self.optimizer.rawValue) lr \(lr), batch \(batchSize).")
        var history: [EpochRecord] = []
        for epoch in 1...epochs {
            network.train()
            var seen = 0, correct = 0, lossSum = 0.0
            let start = Date()
            for (batch, (x, y)) in loader.enumerated() {
                optimizer.zeroGrad()
                let logits = network(x)
                let loss = lossFunction(logits, y)
                try loss.backward()
                optimizer.step()
                let n = y.count
                seen += n
                lossSum += loss.item() * Double(n)
                correct += Int((logits.argmax(dim: 1) .== y).sum().item())
                let rate = Double(seen) / Swift.max(Date().timeIntervalSince(start), 1e-9)
                progress.update(epoch: epoch, epochs: epochs, batch: batch + 1, loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen), samplesPerSecond: rate)
            }
            let testAccuracy = evaluate(network, on: test)
            history.append(EpochRecord(loss: lossSum / Double(seen), trainAccuracy: Double(correct) / Double(seen), testAccuracy: testAccuracy))
            progress.finishEpoch(testAccuracy: testAccuracy)
        }
        let final = history.last!.testAccuracy
        print(String(format: "Test accuracy: %.2f%% (%d of %d digits)", final * 100, Int((final * Double(test.count)).rounded()), test.count))
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let checkpoint = (outputDir as NSString).appendingPathComponent("model.safetensors")
        try Safetensors.save(network.stateDict(), to: checkpoint, metadata: ["model": model.rawValue, "epochs": "\(epochs)", "test_accuracy": String(format: "%.4f", final)])
        let chart = (outputDir as NSString).appendingPathComponent("training.svg")
        try TrainingChart(history: history, title: "\(model.rawValue.uppercased()) on UCI digits, \(self.optimizer.rawValue) lr \(lr)").svg().write(toFile: chart, atomically: true, encoding: .utf8)
        print("Saved \(checkpoint) and \(chart)")
    }

    private func makeModel() -> Module {
        switch model {
        case .cnn:
            Sequential(
                Conv2d(1, 16, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2),
                Conv2d(16, 32, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2),
                Flatten(), Linear(128, 64), ReLU(), Linear(64, 10))
        case .mlp:
            Sequential(Flatten(), Linear(64, 128), ReLU(), Linear(128, 64), ReLU(), Linear(64, 10))
        }
    }

    private func makeOptimizer(_ parameters: [Tensor]) -> Optimizer {
        switch optimizer {
        case .adam: Adam(parameters, lr: lr)
        case .adamw: AdamW(parameters, lr: lr)
        case .sgd: SGD(parameters, lr: lr, momentum: 0.9)
        case .rmsprop: RMSprop(parameters, lr: lr)
        case .adagrad: Adagrad(parameters, lr: lr)
        }
    }

    private func evaluate(_ network: Module, on data: TensorDataset) -> Double {
        network.eval()
        return noGrad {
            let predictions = network(data.inputs).argmax(dim: 1)
            return (predictions .== data.targets).sum().item() / Double(data.count)
        }
    }
}

/// One epoch's figures.
struct EpochRecord {
    let loss: Double
    let trainAccuracy: Double
    let testAccuracy: Double
}

/// A one-line progress bar, redrawn in place on a terminal and printed once per epoch
/// otherwise (so logs stay readable).
final class ProgressBar {
    let total: Int
    private let interactive = isatty(STDOUT_FILENO) != 0
    private var line = ""

    init(total: Int) { self.total = total }

    func update(epoch: Int, epochs: Int, batch: Int, loss: Double, accuracy: Double, samplesPerSecond: Double) {
        let width = 24, filled = width * batch / Swift.max(total, 1)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        line = String(format: "epoch %2d/%d %@ batch %3d/%d  loss %.4f  acc %5.1f%%  %6.0f samples/s",
                      epoch, epochs, bar, batch, total, loss, accuracy * 100, samplesPerSecond)
        if interactive {
            print("\r" + line, terminator: "")
            fflush(nil)
        }
    }

    func finishEpoch(testAccuracy: Double) {
        let text = line + String(format: "  test %5.1f%%", testAccuracy * 100)
        print(interactive ? "\r" + text : text)
    }
}
