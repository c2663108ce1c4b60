import Foundation
import Testing
@testable import Flint

/// Forward mode against reverse mode: for every op, the tangent J·v equals the reverse-mode
/// Jacobian contracted with v.
@Suite struct ForwardModeTests {
    @Test(arguments: OpTable.ops.keys.sorted())
    func tangentEqualsJacobianTimesV(_ name: String) throws {
        let fixture = try #require(TorchFixtures.shared.ops[name])
        let f = try #require(OpTable.ops[name])
        var random = TestRandom(state: 42)
        let primals = fixture.inputs.map { Tensor(flat: $0.values, shape: $0.shape, dtype: .float64) }
        let tangents = primals.map { Tensor(flat: random.values($0.count), shape: $0.shape, dtype: .float64) }
        let tangent = try #require(Autograd.dualLevel { () -> Tensor? in
            let duals = zip(primals, tangents).map { Autograd.makeDual($0, tangent: $1) }
            return Autograd.unpackDual(f(duals)).tangent
        }, "\(name): no tangent")
        let jacobians = try Autograd.jacobian(f, inputs: primals)
        let outCount = tangent.count
        var expected = [Double](repeating: 0, count: outCount)
        for (j, v) in zip(jacobians, tangents) {
            let rows = j.reshape([outCount, v.count]).scalars(as: Double.self), vs = v.scalars(as: Double.self)
            for o in 0..<outCount { for k in 0..<v.count { expected[o] += rows[o * v.count + k] * vs[k] } }
        }
        let got = tangent.scalars(as: Double.self)
        #expect(got.count == outCount && zip(got, expected).allSatisfy { Swift.abs($0 - $1) <= 1e-9 + 1e-9 * Swift.abs($1) }, "\(name): \(got) vs \(expected)")
    }

    @Test func tangentsMatchPyTorchForwardAD() throws {
        let url = Bundle.module.url(forResource: "torch_fixtures", withExtension: "json", subdirectory: "Fixtures")!
        let expected = (try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any])["forwardMode"] as! [String: Any]
        func values(_ key: String) -> [Double] { (expected[key] as! [NSNumber]).map(\.doubleValue) }
        let x = Tensor([0.3, -0.7, 1.1], dtype: .float64), v = Tensor([1.0, 0.5, -2.0], dtype: .float64)
        let a = Tensor([[0.1, 0.4, -0.3], [0.8, -0.5, 0.2]], dtype: .float64)
        let results: [(String, Tensor?)] = Autograd.dualLevel {
            let dx = Autograd.makeDual(x, tangent: v)
            return [("vector", Autograd.unpackDual(dx.tanh() * 3 + pow(dx, 2)).tangent),
                    ("scalar", Autograd.unpackDual((dx.sin() * dx.exp()).sum()).tangent),
                    ("matrix", Autograd.unpackDual(a.mm(dx.unsqueeze(dim: 1)).softmax(dim: 0)).tangent)]
        }
        for (key, tangent) in results {
            let got = tangent?.scalars(as: Double.self) ?? []
            #expect(got.count == values(key).count && zip(got, values(key)).allSatisfy { Swift.abs($0 - $1) < 1e-12 }, "\(key): \(got)")
        }
        let custom = try Autograd.dualLevel { try Autograd.unpackDual(MyExp.apply(Autograd.makeDual(x, tangent: v))).tangent }
        let expectedCustom = zip(x.scalars(as: Double.self), v.scalars(as: Double.self)).map { Foundation_exp($0) * $1 }
        #expect(zip(custom?.scalars(as: Double.self) ?? [], expectedCustom).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
    }

    @Test func dualTensorsBehaveAsPyTorchs() {
        let x = Tensor([1.0, 2.0], dtype: .float64)
        Autograd.dualLevel {
            let d = Autograd.makeDual(x, tangent: Tensor([1.0, 0.0], dtype: .float64))
            let y = d.sin() * d
            let (primal, tangent) = Autograd.unpackDual(y)
            #expect(!primal.requiresGrad && y.gradFn == nil)
            // d/dx (x sin x) = sin x + x cos x along (1, 0).
            let expected = [Foundation_sin(1) + Foundation_cos(1), 0]
            #expect(zip(tangent!.scalars(as: Double.self), expected).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
        }
        #expect(Autograd.unpackDual(x).tangent == nil)
    }
}
