import CFlintSupport

extension Autograd {
    /// Whether this thread checks backward outputs for NaN and infinity.
    public static var isAnomalyEnabled: Bool { flint_anomaly_mode() }

    /// Runs `body` with anomaly detection on (`torch.autograd.detect_anomaly`): a backward
    /// node that produces NaN or infinity makes `backward`/`grad` throw, naming the node,
    /// the forward op and Swift line that created it, and the chain of nodes from the
    /// output down to it.
    @discardableResult
    public static func detectAnomaly<R>(_ body: () throws -> R) rethrows -> R {
        let previous = flint_anomaly_mode()
        flint_set_anomaly_mode(true)
        defer { flint_set_anomaly_mode(previous) }
        return try body()
    }
}

extension Engine {
    /// In anomaly mode, throws if `outputs` of `node` hold NaN or infinity. `cameFrom`
    /// gives, for each node of the task, the node whose gradient reached it first.
    static func checkAnomaly(_ node: Node, _ outputs: InputGradients, cameFrom: [ObjectIdentifier: Node]) throws {
        for i in 0..<outputs.count {
            guard let output = outputs[i], output.dtype.isFloatingPoint else { continue }
            let values = output.scalars(as: Double.self)
            let kind = values.contains { $0.isNaN } ? "nan" : values.contains { $0.isInfinite } ? "inf" : nil
            guard let kind else { continue }
            var chain = [node.name]
            var current = node
            while let parent = cameFrom[ObjectIdentifier(current)] {
                chain.append(parent.name)
                current = parent
            }
            let forward = node.name.split(separator: "Backward").first.map { $0.prefix(1).lowercased() + $0.dropFirst() } ?? node.name
            let origin = node.location.map { " The node was created by \(forward) at \($0)." } ?? " The node was created by \(forward)."
            throw AutogradError(.anomaly, "Function '\(node.name)' returned \(kind) values in its \(i)th output.\(origin) Chain of nodes from the output: \(chain.reversed().joined(separator: " -> ")).")
        }
    }
}
