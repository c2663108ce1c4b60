import Testing
@testable import Flint
@testable import FlintNN

/// Checkpointing keeps less while the gradients stay equal.
@Suite struct CheckpointTests {
    /// Bytes of activations the graph behind `t` keeps for backward.
    static func savedBytes(_ t: Tensor) -> Int { Autograd.graph(of: t).activationBytes }

    @Test func deepMLPKeepsLessAndGetsTheSameGradients() throws {
        let blocks = (0..<8).map { _ in Sequential(Linear(64, 64), Tanh(), Linear(64, 64), ReLU()) }
        let model = Sequential(blocks)
        let x = Tensor.randn([32, 64], requiresGrad: true)

        let plain = model(x).sum()
        try plain.backward()
        let plainGrads = model.parameters().map { $0.grad!.scalars(as: Float.self) } + [x.grad!.scalars(as: Float.self)]
        let plainBytes = Self.savedBytes(model(x).sum())
        model.zeroGrad()
        x.grad = nil

        var h = x
        for block in blocks { h = block.checkpointed(h) }
        let checkpointed = h.sum()
        let checkpointBytes = Self.savedBytes(checkpointed)
        #expect(Autograd.graph(of: checkpointed).nodes.filter { $0.name == "CheckpointFunctionBackward" }.count == 8)
        try checkpointed.backward()
        let checkpointGrads = model.parameters().map { $0.grad!.scalars(as: Float.self) } + [x.grad!.scalars(as: Float.self)]
        #expect(checkpointBytes * 4 < plainBytes, "\(checkpointBytes) vs \(plainBytes) bytes kept for backward")
        for (a, b) in zip(plainGrads, checkpointGrads) {
            #expect(zip(a, b).allSatisfy { Swift.abs($0 - $1) <= 1e-5 + 1e-4 * Swift.abs($1) })
        }
    }

    /// Heap in use after the forward pass (when activations peak), plain against
    /// checkpointed, in a child process so other tests' allocations cannot interfere.
    @Test func peakHeapOfADeepMLPFalls() async {
        await #expect(processExitsWith: .success) {
            // 32 KiB activations: below the buffer cache's threshold, so all go through malloc.
            // Four checkpointed segments of four blocks each.
            let segments = (0..<4).map { _ in Sequential((0..<4).map { _ in Sequential(Linear(128, 128), Tanh(), Linear(128, 128), ReLU()) }) }
            let x = Tensor.randn([64, 128], requiresGrad: true)
            func heldAfterForward(_ checkpointed: Bool) throws -> Int {
                let before = Allocator.heapBytesInUse ?? 0
                var h = x
                for segment in segments { h = checkpointed ? segment.checkpointed(h) : segment(h) }
                let loss = h.sum()
                let held = (Allocator.heapBytesInUse ?? 0) - before
                try loss.backward()
                return held
            }
            guard Allocator.heapBytesInUse != nil else { return }
            let plain = try! heldAfterForward(false), checkpointed = try! heldAfterForward(true)
            precondition(checkpointed * 4 < plain, "heap after forward: \(checkpointed) B checkpointed vs \(plain) B plain")
        }
    }

    @Test func doubleBackwardThroughACheckpoint() throws {
        let w = Tensor([[0.3, -0.2], [0.5, 0.1]], dtype: .float64, requiresGrad: true)
        let x = Tensor([0.7, -1.1], dtype: .float64, requiresGrad: true)
        try Autograd.gradcheck({ inputs in
            Autograd.checkpoint([inputs[0]], parameters: [inputs[1]]) { ($0[0].matmul(inputs[1])).tanh() }
        }, inputs: [x, w])
        try Autograd.gradgradcheck({ inputs in
            Autograd.checkpoint([inputs[0]], parameters: [inputs[1]]) { ($0[0].matmul(inputs[1])).tanh() }
        }, inputs: [x, w])
    }
}
