import ArgumentParser
import Flint
import FlintNN
import Foundation

/// `flint graph`: draws the autograd graphs of the seed tutorial and of a small MLP.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw the backward graphs of the tutorial's example and of a small MLP (SVG with Graphviz's dot, else DOT)."
    )

    @Option(help: "Directory for the pictures.")
    var outputDir: String = "flint-graphs"

    func run() throws {
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let x = Tensor.ones([2, 2], requiresGrad: true)
        let y = x + 2
        let tutorial = (y * y * 3).mean()
        manualSeed(0)
        let model = Sequential(Linear(4, 8), ReLU(), Linear(8, 3))
        let loss = CrossEntropyLoss()(model(Tensor.randn([5, 4])), Tensor([0, 2, 1, 1, 0]))
        for (name, tensor) in [("tutorial", tutorial), ("mlp", loss)] {
            let graph = Autograd.graph(of: tensor)
            let dotPath = (outputDir as NSString).appendingPathComponent("\(name).dot")
            try graph.dot().write(toFile: dotPath, atomically: true, encoding: .utf8)
            let svgPath = (outputDir as NSString).appendingPathComponent("\(name).svg")
            if render(dotPath, to: svgPath) {
                print("\(name): \(graph.nodes.count) nodes, \(graph.edges.count) edges -> \(svgPath)")
            } else {
                print("\(name): \(graph.nodes.count) nodes, \(graph.edges.count) edges -> \(dotPath) (install Graphviz's dot for SVG)")
            }
        }
    }

    /// Runs `dot -Tsvg`; false when Graphviz is not installed or fails.
    private func render(_ dotPath: String, to svgPath: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["dot", "-Tsvg", dotPath, "-o", svgPath]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
