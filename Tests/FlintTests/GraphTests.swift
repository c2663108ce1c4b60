import Testing
@testable import Flint

/// Graph descriptions and their DOT text, parsed back.
@Suite struct GraphTests {
    /// Node labels and edges read back from DOT text.
    static func parse(_ dot: String) -> (labels: [String: String], edges: [(String, String)]) {
        var labels: [String: String] = [:], edges: [(String, String)] = []
        for raw in dot.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: " ;")
            if let arrow = line.range(of: " -> ") {
                edges.append((String(line[..<arrow.lowerBound]), String(line[arrow.upperBound...])))
            } else if line.hasPrefix("n"), let start = line.range(of: "label=\"") {
                let rest = line[start.upperBound...]
                labels[String(line.prefix { $0 != " " })] = String(rest.prefix { $0 != "\"" })
            }
        }
        return (labels, edges)
    }

    @Test func tutorialGraph() throws {
        let x = Tensor.ones([2, 2], requiresGrad: true)
        let y = x + 2
        let out = (y * y * 3).mean()
        let graph = Autograd.graph(of: out)
        #expect(graph.nodes.map(\.name) == ["MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0", "AccumulateGrad"])
        #expect(graph.nodes.last?.leaf?.shape == [2, 2])
        #expect(graph.nodes[2].saved.map(\.bytes) == [16, 16])
        let (labels, edges) = Self.parse(graph.dot())
        #expect(labels.count == 5 && edges.count == graph.edges.count + 1)
        #expect(labels["n4"]?.hasPrefix("AccumulateGrad\\n[2, 2] float32") == true)
        #expect(edges.contains { $0 == ("n0", "output") })
        #expect(graph.edges.contains(.init(from: 3, to: 2, inputNr: 0)) && graph.edges.contains(.init(from: 3, to: 2, inputNr: 0)))
        try out.backward()
        #expect(Autograd.graph(of: out).nodes[2].savedFreed)
        #expect(Autograd.graph(of: Tensor.ones([1])).nodes.isEmpty)
    }

    @Test func deepGraphsAreDescribedWithoutRecursion() {
        let x = Tensor([1.0], requiresGrad: true)
        var y = x
        for _ in 0..<100_000 { y = y * 1.0 }
        let graph = Autograd.graph(of: y)
        #expect(graph.nodes.count == 100_001)
        #expect(graph.dot().count > 100_000)
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> SubSequence {
        let chars = Set(set)
        let start = firstIndex { !chars.contains($0) } ?? endIndex
        let end = lastIndex { !chars.contains($0) }.map(index(after:)) ?? start
        return self[start..<end]
    }
}
