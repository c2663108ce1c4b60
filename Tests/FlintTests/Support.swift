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
