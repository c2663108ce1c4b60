import Foundation
import Testing
@testable import Flint

/// Hooks run in PyTorch's order and can replace gradients.
@Suite struct HookTests {
    final class Log: @unchecked Sendable { var order: [String] = [] }

    @Test func orderAndReplacedGradientsMatchPyTorch() throws {
        let url = Bundle.module.url(forResource: "torch_fixtures", withExtension: "json", subdirectory: "Fixtures")!
        let expected = (try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any])["hooks"] as! [String: Any]
        let log = Log()
        let x = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let y = x * 2
        y.registerHook { log.order.append("tensor y"); return $0 * 10 }
        y.retainGrad()
        y.gradFn!.registerPrehook { _ in log.order.append("pre MulBackward0"); return nil }
        y.gradFn!.registerHook { _, _ in log.order.append("post MulBackward0"); return nil }
        x.registerHook { log.order.append("tensor x"); return $0 + 1 }
        x.registerPostAccumulateGradHook { _ in log.order.append("post-accumulate x") }
        try (y * y).sum().backward()
        #expect(log.order == expected["order"] as! [String])
        #expect(x.grad!.scalars(as: Double.self) == (expected["xGrad"] as! [NSNumber]).map(\.doubleValue))
        #expect(y.grad!.scalars(as: Double.self) == (expected["yGrad"] as! [NSNumber]).map(\.doubleValue))
    }

    @Test func handlesRemoveHooksAndPostHooksReplaceInputGradients() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let handle = x.registerHook { $0 * 100 }
        handle.remove()
        let y = x * 3
        y.gradFn!.registerHook { inputs, _ in inputs.map { $0.map { $0 * 2 } } }
        try y.sum().backward()
        #expect(x.grad!.scalars(as: Float.self) == [6, 6])
        let z = x * 1
        let captured = try Autograd.grad(outputs: [z.sum()], inputs: [x])[0]!
        #expect(captured.scalars(as: Float.self) == [1, 1])
        x.registerHook { $0 * 5 }
        #expect(try Autograd.grad(outputs: [(x * 1).sum()], inputs: [x])[0]!.scalars(as: Float.self) == [5, 5])
    }
}
