import Foundation
import Testing
import Flint
@testable import FlintNN

/// The PyTorch reference values recorded by Scripts/make_nn_fixtures.py.
enum Fixtures {
    static let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    nonisolated(unsafe) static let json: [String: Any] = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("nn_fixtures.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    static func section(_ name: String) -> [String: Any] { json[name] as! [String: Any] }
}

/// A tensor from a fixture's `{shape, values}`.
func fixtureTensor(_ object: Any?, dtype: DType = .float32) -> Tensor {
    let entry = object as! [String: Any]
    let shape = entry["shape"] as! [Int]
    let values = (entry["values"] as! [NSNumber]).map(\.doubleValue)
    return Tensor(flat: values, shape: shape, dtype: dtype)
}

/// A fixture's flat value list.
func fixtureValues(_ object: Any?) -> [Double] { (object as! [NSNumber]).map(\.doubleValue) }

/// Expects `actual` to equal `expected` within `atol + rtol·|expected|`, elementwise.
func expectClose(
    _ actual: [Double], _ expected: [Double], atol: Double = 1e-5, rtol: Double = 1e-4,
    _ what: @autoclosure () -> String, sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    guard actual.count == expected.count else {
        Issue.record("\(what()): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(Swift.abs(a - e) <= atol + rtol * Swift.abs(e)) {
        Issue.record("\(what()): element \(i) is \(a), expected \(e)", sourceLocation: sourceLocation)
        return
    }
}

extension Tensor {
    var doubles: [Double] { scalars(as: Double.self) }
}
