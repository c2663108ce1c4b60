import Testing
import Flint
import FlintNN

/// The README's FlintNN example, compiled and run.
final class ReadmeNet: Module {
    let conv = Conv2d(1, 16, kernelSize: 3, padding: 1)
    let fc = Linear(16 * 4 * 4, 10)
    override func forward(_ x: Tensor) -> Tensor {
        fc(conv(x).relu().maxPool2d(kernelSize: 2).flatten(startDim: 1))
    }
}

@Suite struct ReadmeTests {
    @Test func customModulesFindTheirLayers() throws {
        let net = ReadmeNet()
        #expect(net.namedParameters().map(\.0) == ["conv.weight", "conv.bias", "fc.weight", "fc.bias"])
        let (x, y) = (Tensor.rand([4, 1, 8, 8]), Tensor([1, 2, 3, 4]))
        let optimizer = SGD(net.parameters(), lr: 0.1)
        let before = CrossEntropyLoss()(net(x), y).item()
        for _ in 0..<20 {
            optimizer.zeroGrad()
            try CrossEntropyLoss()(net(x), y).backward()
            optimizer.step()
        }
        #expect(CrossEntropyLoss()(net(x), y).item() < before)
    }

    @Test func readmeTrainingLoopRuns() throws {
        let model = Sequential(Conv2d(1, 16, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2), Flatten(), Linear(16 * 4 * 4, 10))
        let optimizer = Adam(model.parameters(), lr: 1e-3)
        let scheduler = StepLR(optimizer, stepSize: 10, gamma: 0.5)
        let lossFunction = CrossEntropyLoss(labelSmoothing: 0.1)
        let (train, _) = Digits.split(try Digits.load())
        for (x, y) in DataLoader(train.subset(Array(0..<96)), batchSize: 32, shuffle: true, seed: 0) {
            optimizer.zeroGrad()
            let loss = lossFunction(model(x), y)
            try loss.backward()
            clipGradNorm(model.parameters(), maxNorm: 1)
            optimizer.step()
        }
        scheduler.step()
        #expect(optimizer.learningRates == [1e-3])
    }
}
