// Describing and drawing the graph behind a tensor (as torchviz does for PyTorch).

/// The backward graph behind a tensor: its nodes, their edges, the leaves' shapes and the
/// sizes of the tensors each node saved; `dot()` renders it for Graphviz.
public struct GraphDescription: Sendable {
    /// One backward node (or a leaf's AccumulateGrad).
    public struct NodeInfo: Sendable {
        /// Position in `nodes`, used by edges.
        public let id: Int
        /// PyTorch's node name, e.g. `MulBackward0`.
        public let name: String
        /// Where the user's code created it, when known.
        public let location: SourceLocation?
        /// For an AccumulateGrad node, the leaf's shape and dtype.
        public let leaf: (shape: [Int], dtype: DType)?
        /// Shapes and byte sizes of the saved tensors (empty once freed by backward), and
        /// whether each is an activation (an op's result kept only for backward) rather
        /// than a leaf such as a parameter.
        public let saved: [(shape: [Int], bytes: Int, isActivation: Bool)]
        /// Whether backward already freed the saved tensors.
        public let savedFreed: Bool
    }

    /// A gradient path: `from` feeds input `inputNr` of `to` in backward (in the forward
    /// direction `from` is an input of `to`'s op).
    public struct EdgeInfo: Sendable, Equatable {
        /// The node whose output gradient flows on.
        public let from: Int
        /// The node that consumes it.
        public let to: Int
        /// Which input of the consumer.
        public let inputNr: Int
    }

    /// The nodes, the output's node first.
    public let nodes: [NodeInfo]
    /// The edges, in discovery order.
    public let edges: [EdgeInfo]
    /// The described tensor's shape.
    public let outputShape: [Int]

    /// Bytes of activations the graph keeps for backward (what checkpointing saves).
    public var activationBytes: Int {
        nodes.reduce(0) { total, node in total + node.saved.filter(\.isActivation).reduce(0) { $0 + $1.bytes } }
    }

    /// Graphviz DOT text: boxes for backward nodes (with saved-tensor sizes and source
    /// lines), blue boxes for leaves, an ellipse for the output.
    public func dot() -> String {
        var lines = ["digraph autograd {", "  rankdir=BT;", "  node [shape=box, fontname=\"Helvetica\", fontsize=11];",
                     "  output [shape=ellipse, label=\"output \(Shape.describe(outputShape))\"];"]
        for node in nodes {
            var label = [node.name]
            var style = ""
            if let leaf = node.leaf {
                label.append("\(Shape.describe(leaf.shape)) \(leaf.dtype)")
                style = ", style=filled, fillcolor=\"#cfe2f3\""
            }
            if node.savedFreed {
                label.append("saved tensors freed")
            } else if !node.saved.isEmpty {
                let bytes = node.saved.reduce(0) { $0 + $1.bytes }
                label.append("saved: " + node.saved.map { Shape.describe($0.shape) }.joined(separator: " ") + " (\(bytes) B)")
            }
            if let location = node.location { label.append("\(location)") }
            lines.append("  n\(node.id) [label=\"\(label.map(escaped).joined(separator: "\\n"))\"\(style)];")
        }
        for edge in edges { lines.append("  n\(edge.from) -> n\(edge.to);") }
        if !nodes.isEmpty { lines.append("  n0 -> output;") }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func escaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

extension Autograd {
    /// The backward graph behind `tensor` (empty for a tensor outside any graph), walked
    /// iteratively so graphs of any depth are described without recursion.
    public static func graph(of tensor: Tensor) -> GraphDescription {
        let root = tensor.gradientEdge.node
        var ids: [ObjectIdentifier: Int] = [:]
        var nodes: [GraphDescription.NodeInfo] = []
        var edges: [GraphDescription.EdgeInfo] = []
        var pending: [Node] = []
        func id(of node: Node) -> Int {
            if let known = ids[ObjectIdentifier(node)] { return known }
            let new = ids.count
            ids[ObjectIdentifier(node)] = new
            pending.append(node)
            return new
        }
        if let root { _ = id(of: root) }
        var next = 0
        var queue: [Node] = []
        while next < ids.count {
            queue.append(contentsOf: pending)
            pending = []
            let node = queue[next]
            let nodeID = next
            next += 1
            let leaf = (node as? AccumulateGrad).map { ($0.variable.shape, $0.variable.dtype) }
            nodes.append(.init(id: nodeID, name: node.name, location: node.location, leaf: leaf,
                               saved: node.saved.map(\.summary), savedFreed: node.savedReleased))
            for edge in node.edges {
                guard let child = edge.node else { continue }
                edges.append(.init(from: id(of: child), to: nodeID, inputNr: edge.inputNr))
            }
        }
        return GraphDescription(nodes: nodes, edges: edges, outputShape: tensor.shape)
    }
}

extension String {
    /// `self` with every `target` replaced (Foundation-free).
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
