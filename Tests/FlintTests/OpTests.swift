import Testing
@testable import Flint

/// Every op case against PyTorch's recorded forward values, input gradients and node
/// name, and by first- and second-order gradcheck on contiguous and strided inputs.
@Suite struct OpTests {
    static let names = OpTable.ops.keys.sorted()

    @Test(arguments: names)
    func matchesPyTorch(_ name: String) throws {
        let fixture = try #require(TorchFixtures.shared.ops[name], "no fixture for \(name)")
        let f = try #require(OpTable.ops[name])
        for layout in Layout.allCases {
            let leaves = fixture.inputs.map { makeLeaf($0.values, $0.shape, layout: layout) }
            let y = f(leaves)
            #expect(y.shape == fixture.output.shape, "\(name) shape")
            expectClose(y.scalars(as: Double.self), fixture.output.values, atol: 1e-10, rtol: 1e-9, "\(name) forward")
            if layout == .contiguous { #expect(y.gradFn?.name == fixture.gradFn, "\(name) node name") }
            let v = Tensor(flat: fixture.gradOutput, shape: fixture.output.shape, dtype: .float64)
            let grads = try Autograd.grad(outputs: [y], inputs: leaves, gradOutputs: [v], allowUnused: true)
            for (k, expected) in fixture.grads.enumerated() {
                if let expected {
                    expectClose(try #require(grads[k]).scalars(as: Double.self), expected, atol: 1e-10, rtol: 1e-9, "\(name) grad \(k)")
                }
            }
        }
    }

    @Test(arguments: names)
    func gradcheck(_ name: String) throws {
        let fixture = try #require(TorchFixtures.shared.ops[name])
        let f = try #require(OpTable.ops[name])
        for layout in Layout.allCases {
            let leaves = fixture.inputs.map { makeLeaf($0.values, $0.shape, layout: layout) }
            try Autograd.gradcheck(f, inputs: leaves)
            let large = fixture.output.values.count + leaves.reduce(0) { $0 + $1.count } > 120
            try Autograd.gradgradcheck(f, inputs: leaves, fastMode: large)
        }
    }
}
