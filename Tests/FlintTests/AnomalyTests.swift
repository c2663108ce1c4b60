import Foundation
import Testing
@testable import Flint

/// Anomaly detection names the failing node, its forward op and line, and the chain.
@Suite struct AnomalyTests {
    @Test func nanInBackwardIsReported() throws {
        let x = Tensor([0.0, 4.0], dtype: .float64, requiresGrad: true)
        let y = x.sqrt(line: 4242)
        let z = (y * 0).sum()
        var message = ""
        do {
            try Autograd.detectAnomaly { try z.backward(retainGraph: true) }
        } catch let error as AutogradError {
            message = error.description
            #expect(error.kind == .anomaly)
        }
        // d sqrt(x)/dx at 0 is inf, times the zero gradient: NaN, as in PyTorch.
        #expect(message.hasPrefix(TorchFixtures.anomalyMessage))
        #expect(message.contains("created by sqrt at FlintTests/AnomalyTests.swift:4242"))
        #expect(message.contains("SumBackward0 -> MulBackward0 -> SqrtBackward0"))
        #expect(!Autograd.isAnomalyEnabled)
        try z.backward()
        #expect(x.grad?.scalars(as: Double.self)[0].isNaN == true)
    }

    @Test func infinityIsReportedToo() {
        let x = Tensor([0.0], dtype: .float64, requiresGrad: true)
        #expect(throws: AutogradError.self) { try Autograd.detectAnomaly { try x.log().sum().backward() } }
    }

    @Test func finiteGraphsPass() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        try Autograd.detectAnomaly { try (x * x).sum().backward() }
        #expect(x.grad?.scalars(as: Float.self) == [2, 4])
    }
}

extension TorchFixtures {
    /// PyTorch's anomaly-mode message for the same graph, from the fixtures.
    static var anomalyMessage: String {
        let url = Bundle.module.url(forResource: "torch_fixtures", withExtension: "json", subdirectory: "Fixtures")!
        let json = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (json["forwardMode"] as! [String: Any])["anomalyMessage"] as! String
    }
}
