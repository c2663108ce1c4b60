import Foundation
import Testing
@testable import Flint

/// `Autograd.vjp/jvp/jacobian/hessian/hvp/vhp` against torch.autograd.functional.
@Suite struct FunctionalTests {
    nonisolated(unsafe) static let expected: [String: Any] = {
        let url = Bundle.module.url(forResource: "torch_fixtures", withExtension: "json", subdirectory: "Fixtures")!
        let json = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return json["functional"] as! [String: Any]
    }()

    func values(_ key: String) -> [Double] { (Self.expected[key] as! [NSNumber]).map(\.doubleValue) }
    func list(_ key: String) -> [[Double]] { (Self.expected[key] as! [[NSNumber]]).map { $0.map(\.doubleValue) } }

    let x = Tensor([0.3, -0.7, 1.1], dtype: .float64)
    let y = Tensor([0.5, 0.2, -0.9], dtype: .float64)
    let a = Tensor([[0.1, 0.4, -0.3], [0.8, -0.5, 0.2]], dtype: .float64)
    let b = Tensor([[0.6, -0.1], [0.3, 0.9], [-0.7, 0.2]], dtype: .float64)
    let vx = Tensor([1.0, -2.0, 0.5], dtype: .float64)
    let vy = Tensor([0.25, 0.5, -1.0], dtype: .float64)

    static func scalar(_ t: [Tensor]) -> Tensor { (t[0] * t[1].sin()).sum() + (pow(t[0], 2) * t[1]).sum() }
    static func vector(_ t: [Tensor]) -> Tensor { t[0].exp() * t[0].sum() }
    static func matrix(_ t: [Tensor]) -> Tensor { t[0].mm(t[1]).tanh() }

    func close(_ t: Tensor, _ e: [Double], _ what: String) {
        let got = t.scalars(as: Double.self)
        #expect(got.count == e.count && zip(got, e).allSatisfy { Swift.abs($0 - $1) < 1e-10 }, "\(what): \(got) vs \(e)")
    }

    @Test func jacobiansAndHessians() throws {
        for (t, e) in zip(try Autograd.jacobian(Self.scalar, inputs: [x, y]), list("scalar_jacobian")) { close(t, e, "scalar jacobian") }
        let hessian = try Autograd.hessian(Self.scalar, inputs: [x, y])
        let expectedHessian = (Self.expected["scalar_hessian"] as! [[[NSNumber]]]).map { $0.map { $0.map(\.doubleValue) } }
        for i in 0..<2 { for j in 0..<2 { close(hessian[i][j], expectedHessian[i][j], "hessian[\(i)][\(j)]") } }
        #expect(hessian[0][1].shape == [3, 3])
        let vectorJacobian = try Autograd.jacobian(Self.vector, inputs: [x])[0]
        #expect(vectorJacobian.shape == [3, 3])
        close(vectorJacobian, values("vector_jacobian"), "vector jacobian")
        let matrixJacobian = try Autograd.jacobian(Self.matrix, inputs: [a, b])
        #expect(matrixJacobian[0].shape == [2, 2, 2, 3] && matrixJacobian[1].shape == [2, 2, 3, 2])
        for (t, e) in zip(matrixJacobian, list("matrix_jacobian")) { close(t, e, "matrix jacobian") }
    }

    @Test func products() throws {
        for (t, e) in zip(try Autograd.hvp(Self.scalar, inputs: [x, y], v: [vx, vy]).hvp, list("scalar_hvp")) { close(t, e, "hvp") }
        for (t, e) in zip(try Autograd.vhp(Self.scalar, inputs: [x, y], v: [vx, vy]).vhp, list("scalar_vhp")) { close(t, e, "vhp") }
        for (t, e) in zip(try Autograd.vjp(Self.scalar, inputs: [x, y]).vjp, list("scalar_vjp")) { close(t, e, "scalar vjp") }
        close(try Autograd.vjp(Self.vector, inputs: [x], v: vy).vjp[0], values("vector_vjp"), "vector vjp")
        close(try Autograd.jvp(Self.vector, inputs: [x], v: [vx]).jvp, values("vector_jvp"), "vector jvp")
        close(try Autograd.jvp(Self.matrix, inputs: [a, b], v: [a * 0.5, b - 1]).jvp, values("matrix_jvp"), "matrix jvp")
        for (t, e) in zip(try Autograd.vjp(Self.matrix, inputs: [a, b], v: Tensor.ones([2, 2], dtype: .float64)).vjp, list("matrix_vjp")) { close(t, e, "matrix vjp") }
    }

    @Test func graphsAndStrictness() throws {
        let (output, grads) = try Autograd.vjp(Self.vector, inputs: [x], v: vy)
        #expect(!output.requiresGrad && !grads[0].requiresGrad && x.grad == nil)
        let leaf = x.detach().requiresGrad_()
        let differentiable = try Autograd.vjp(Self.vector, inputs: [leaf], v: vy, createGraph: true).vjp[0]
        #expect(differentiable.requiresGrad)
        try differentiable.sum().backward()
        #expect(leaf.grad != nil)
        let independent: ([Tensor]) -> Tensor = { $0[0] * 2 }
        let lax = try Autograd.jacobian(independent, inputs: [x, y])
        #expect(lax[1].scalars(as: Double.self).allSatisfy { $0 == 0 })
        #expect(throws: AutogradError.self) { try Autograd.jacobian(independent, inputs: [x, y], strict: true) }
    }
}
