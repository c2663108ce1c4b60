import Foundation
import Testing
@testable import Flint

/// PyTorch reference values recorded by Scripts/make_fixtures.py.
struct TorchFixtures: Decodable {
    struct Values: Decodable {
        let shape: [Int]
        let values: [Double]

        enum CodingKeys: CodingKey { case shape, values }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            shape = try c.decode([Int].self, forKey: .shape)
            values = try c.decode([JSONNumber].self, forKey: .values).map(\.value)
        }
    }
    /// A number, or one of the strings nan, inf, -inf that JSON cannot spell as numbers.
    struct JSONNumber: Decodable {
        let value: Double
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let v = try? c.decode(Double.self) { value = v; return }
            switch try c.decode(String.self) {
            case "nan": value = .nan
            case "inf": value = .infinity
            default: value = -.infinity
            }
        }
    }
    struct OpCase: Decodable {
        let inputs: [Values]
        let output: Values
        let gradOutput: [Double]
        let grads: [[Double]?]
        let gradFn: String?
    }
    struct PrintCase: Decodable {
        let values: [JSONNumber]
        let shape: [Int]
        let dtype: String
        let requiresGrad: Bool
        let text: String
    }
    struct Seeds: Decodable {
        let lines: [String]
        let loops: Int
    }
    let torch: String
    let ops: [String: OpCase]
    let printing: [PrintCase]
    let seeds: Seeds

    static let shared: TorchFixtures = {
        let url = Bundle.module.url(forResource: "torch_fixtures", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(TorchFixtures.self, from: Data(contentsOf: url))
    }()
}

/// How a test input is laid out in memory.
enum Layout: CaseIterable, Sendable {
    case contiguous
    case strided
}

/// A float64 leaf holding `values` in `shape`; `.strided` gives the same values through
/// non-contiguous strides (a transposed copy for matrices, every other element for vectors).
func makeLeaf(_ values: [Double], _ shape: [Int], layout: Layout = .contiguous, requiresGrad: Bool = true) -> Tensor {
    let dense = Tensor(flat: values, shape: shape, dtype: .float64)
    var result = dense
    if layout == .strided {
        if shape.count >= 2 {
            result = dense.transpose(-1, -2).contiguous().transpose(-1, -2)
        } else if shape.count == 1 {
            let doubled = Tensor(flat: values.flatMap { [$0, -99] }, shape: [values.count * 2], dtype: .float64)
            result = doubled.slice(dim: 0, step: 2)
        }
    }
    let leaf = result.detach()
    if requiresGrad { leaf.requiresGrad = true }
    return leaf
}

/// A deterministic stream of doubles in [-1, 1) (SplitMix64), for test vectors.
struct TestRandom {
    var state: UInt64
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53) * 2 - 1
    }
    mutating func values(_ n: Int) -> [Double] { (0..<n).map { _ in next() } }
}

/// Expects `actual` to equal `expected` elementwise within `atol + rtol * |expected|`.
func expectClose(
    _ actual: [Double], _ expected: [Double], atol: Double = 1e-5, rtol: Double = 1e-3,
    _ what: @autoclosure () -> String, sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what()): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(Swift.abs(a - e) <= atol + rtol * Swift.abs(e)) {
        Issue.record("\(what()): element \(i) is \(a), expected \(e)", sourceLocation: sourceLocation)
        return
    }
}

/// Gradient checks against central differences in float64, as PyTorch's gradcheck
/// (eps 1e-6, atol 1e-5, rtol 1e-3), through a random projection of the output.
enum GradCheck {
    static let eps = 1e-6

    /// First order: the vector-Jacobian product from backward equals the numerical one.
    static func firstOrder(
        _ f: ([Tensor]) -> Tensor, inputs: [([Double], [Int])], layout: Layout, name: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        var random = TestRandom(state: 7)
        let probe = f(inputs.map { makeLeaf($0.0, $0.1, layout: layout) })
        let v = makeLeaf(random.values(probe.count), probe.shape, requiresGrad: false)
        func projected(_ values: [[Double]]) -> Double {
            noGrad { (f(zip(values, inputs).map { makeLeaf($0, $1.1, layout: layout, requiresGrad: false) }) * v).sum().item() }
        }
        let leaves = inputs.map { makeLeaf($0.0, $0.1, layout: layout) }
        let analytic = try Autograd.grad(outputs: [f(leaves)], inputs: leaves, gradOutputs: [v], allowUnused: true)
        for (k, input) in inputs.enumerated() {
            let numeric = numericalGradient(of: projected, at: inputs.map(\.0), input: k)
            let got = analytic[k]?.scalars(as: Double.self) ?? [Double](repeating: 0, count: input.0.count)
            expectClose(got, numeric, "\(name) [\(layout)] d/d input \(k)", sourceLocation: sourceLocation)
        }
    }

    /// Second order: differentiating the (createGraph) gradient, projected on random
    /// vectors, agrees with central differences of that gradient, with respect to the
    /// inputs and to the output gradient.
    static func secondOrder(
        _ f: ([Tensor]) -> Tensor, inputs: [([Double], [Int])], layout: Layout, name: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        var random = TestRandom(state: 11)
        let outShape = f(inputs.map { makeLeaf($0.0, $0.1, layout: layout, requiresGrad: false) }).shape
        let vValues = random.values(Shape.count(outShape))
        let us = inputs.map { random.values($0.0.count) }
        let all = inputs + [(vValues, outShape)]

        func gradProjection(_ leaves: [Tensor], createGraph: Bool) throws -> Tensor {
            let xs = Array(leaves.dropLast()), v = leaves.last!
            let grads = try Autograd.grad(outputs: [f(xs)], inputs: xs, gradOutputs: [v], createGraph: createGraph, allowUnused: true)
            var total = Tensor.zeros([], dtype: .float64)
            for (g, u) in zip(grads, us) {
                if let g { total = total + (g * Tensor(flat: u, shape: g.shape, dtype: .float64)).sum() }
            }
            return total
        }
        let leaves = all.map { makeLeaf($0.0, $0.1, layout: layout) }
        let g = try gradProjection(leaves, createGraph: true)
        guard g.requiresGrad else { return }
        let analytic = try Autograd.grad(outputs: [g], inputs: leaves, allowUnused: true)
        for (k, input) in all.enumerated() {
            let numeric = numericalGradient(of: { values in
                (try? gradProjection(zip(values, all).map { makeLeaf($0, $1.1, layout: layout) }, createGraph: false).item()) ?? .nan
            }, at: all.map(\.0), input: k)
            let got = analytic[k]?.scalars(as: Double.self) ?? [Double](repeating: 0, count: input.0.count)
            expectClose(got, numeric, atol: 1e-4, rtol: 1e-3, "\(name) [\(layout)] second order, input \(k)", sourceLocation: sourceLocation)
        }
    }

    /// Central differences of a scalar function of several value arrays, for array `k`.
    static func numericalGradient(of f: ([[Double]]) -> Double, at point: [[Double]], input k: Int) -> [Double] {
        (0..<point[k].count).map { i in
            var plus = point, minus = point
            plus[k][i] += eps
            minus[k][i] -= eps
            return (f(plus) - f(minus)) / (2 * eps)
        }
    }
}
