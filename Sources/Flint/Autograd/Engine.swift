import Synchronization

private let taskCounter = Atomic<Int>(1)

/// Runs backward passes: one graph task per call, walking the graph iteratively
/// (dependency counts and a ready queue ordered by sequence number, never recursion).
enum Engine {
    /// Propagates `grads` from `roots` through the graph. With `captures` (the edges of
    /// `Autograd.grad`'s inputs) it returns the gradient arriving at each capture and
    /// leaves `.grad` alone; without, it accumulates into leaves and returns nothing.
    static func execute(
        roots: [Edge], grads: [Tensor], keepGraph: Bool, createGraph: Bool, captures: [Edge]? = nil
    ) throws -> [Tensor?] {
        _ = Allocator.tuned
        let task = taskCounter.add(1, ordering: .relaxed).newValue
        var stashed: [(Node, Node.TaskState)] = []
        let order = discover(roots: roots, task: task, stashing: &stashed)
        defer {
            for node in order { node.pendingGrad = nil; node.taskID = 0 }
            for (node, state) in stashed.reversed() { node.restore(state) }
        }
        markNeeded(order, task: task, captures: captures)

        var ready = ReadyQueue()
        for (i, root) in roots.enumerated() {
            guard let node = root.node, node.isNeeded else { continue }
            node.addPendingGrad(grads[i])
        }
        for root in roots {
            if let node = root.node, node.isNeeded, node.dependencies == 0, !node.runsInTask {
                node.runsInTask = true
                ready.push(node)
            }
        }
        var captured = [Tensor?](filled: nil, count: captures?.count ?? 0)
        let anomaly = Autograd.isAnomalyEnabled
        var cameFrom: [ObjectIdentifier: Node] = [:]
        try withGradMode(createGraph) {
            while let node = ready.pop() {
                var grad = node.pendingGrad.take()
                if !node.tensorPreHooks.isEmpty { grad = node.applyingTensorPreHooks(grad) }
                if let captures {
                    for (i, c) in captures.enumerated() where c.node === node {
                        guard var g = grad else { continue }
                        if let leaf = (node as? AccumulateGrad)?.variable { g = leaf.applyingLeafHooks(g) }
                        captured[i] = captured[i].map { $0 + g } ?? g
                    }
                }
                for entry in node.retainedOutputs {
                    if let t = entry.tensor, let g = grad { t.accumulateRetainedGrad(g) }
                }
                if !node.preHooks.isEmpty { grad = node.applyingNodePreHooks(grad) }
                let hookedOutputs: [Tensor?]? = node.postHooks.isEmpty ? nil : [grad]
                var outputs: InputGradients
                if node.runsChildren, grad != nil {
                    outputs = try node.apply(&grad, releasingSaved: !keepGraph)
                    if let hookedOutputs { outputs = InputGradients(node.postHooks.reduce(outputs.array) { $1.hook($0, hookedOutputs) ?? $0 }) }
                    if anomaly { try checkAnomaly(node, outputs, cameFrom: cameFrom) }
                    if !keepGraph { node.releaseSaved() }
                } else {
                    outputs = []
                }
                for i in 0..<node.edgeCount {
                    guard let next = node.edge(i).node, next.taskID == task, next.isNeeded else { continue }
                    if i < outputs.count, let g = outputs[i] { next.addPendingGrad(g) }
                    if anomaly && cameFrom[ObjectIdentifier(next)] == nil { cameFrom[ObjectIdentifier(next)] = node }
                    next.dependencies -= 1
                    if next.dependencies == 0 { ready.push(next) }
                }
            }
        }
        return captured
    }

    /// Every node reachable from the roots, children before parents, each stamped with
    /// `task` and its scratch state reset.
    /// A node already in a running task (a backward formula that runs autograd itself,
    /// such as a checkpoint's) has its state stashed, to be restored afterwards.
    private static func discover(roots: [Edge], task: Int, stashing stashed: inout [(Node, Node.TaskState)]) -> [Node] {
        // Room for a small graph up front: growing one element at a time reallocates
        // three times before the eighth node.
        var order: [Node] = []
        var stack: [Frame] = []
        order.reserveCapacity(16)
        stack.reserveCapacity(16)
        func enter(_ node: Node) {
            if node.taskID != 0 { stashed.append((node, node.taskState)) }
            node.enter(task)
        }
        for root in roots {
            guard let node = root.node, node.taskID != task else { continue }
            enter(node)
            stack.append(Frame(node: node, next: 0))
            while let top = stack.last {
                if top.next < top.node.edgeCount {
                    stack[stack.count - 1].next += 1
                    if let child = top.node.edge(top.next).node, child.taskID != task {
                        enter(child)
                        stack.append(Frame(node: child, next: 0))
                    }
                } else {
                    order.append(top.node)
                    stack.removeLast()
                }
            }
        }
        return order
    }

    /// Decides which nodes run (all for `backward`; for `Autograd.grad`, those on a path
    /// to a capture) and counts each needed node's pending inputs.
    private static func markNeeded(_ order: [Node], task: Int, captures: [Edge]?) {
        for node in order {
            var childNeeded = false
            for i in 0..<node.edgeCount {
                if let child = node.edge(i).node, child.taskID == task, child.isNeeded { childNeeded = true }
            }
            let isCapture = captures?.contains(where: { $0.node === node }) ?? false
            node.runsChildren = captures == nil || childNeeded
            node.isNeeded = captures == nil || childNeeded || isCapture
        }
        for node in order where node.isNeeded {
            for i in 0..<node.edgeCount {
                if let child = node.edge(i).node, child.taskID == task, child.isNeeded { child.dependencies += 1 }
            }
        }
    }
}

extension Node {
    /// The engine's scratch state of one graph task.
    struct TaskState {
        let taskID: Int, dependencies: Int, isNeeded: Bool, runsInTask: Bool, runsChildren: Bool
        let pendingGrad: Tensor?
    }

    fileprivate var taskState: TaskState {
        TaskState(taskID: taskID, dependencies: dependencies, isNeeded: isNeeded, runsInTask: runsInTask, runsChildren: runsChildren, pendingGrad: pendingGrad)
    }

    fileprivate func restore(_ state: TaskState) {
        (taskID, dependencies, isNeeded, runsInTask, runsChildren, pendingGrad) = (state.taskID, state.dependencies, state.isNeeded, state.runsInTask, state.runsChildren, state.pendingGrad)
    }

    fileprivate func enter(_ task: Int) {
        taskID = task
        dependencies = 0
        isNeeded = false
        runsInTask = false
        runsChildren = false
        pendingGrad = nil
    }

    /// Sums `grad` into the gradient this node will run with.
    fileprivate func addPendingGrad(_ grad: Tensor) {
        if let existing = pendingGrad {
            pendingGrad = existing + grad
        } else {
            pendingGrad = grad
        }
    }
}

/// A node being walked by `discover` and the index of its next edge to visit. The
/// reference is not counted: the graph being walked holds every node.
private struct Frame {
    unowned(unsafe) let node: Node
    var next: Int
}

/// A max-heap of nodes by sequence number: the most recently created ready node runs
/// first, as in PyTorch's engine.
private struct ReadyQueue {
    private var heap: [Node] = []

    mutating func push(_ node: Node) {
        node.runsInTask = true
        heap.append(node)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent].sequenceNr >= heap[i].sequenceNr { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> Node? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var largest = i
            if l < heap.count && heap[l].sequenceNr > heap[largest].sequenceNr { largest = l }
            if r < heap.count && heap[r].sequenceNr > heap[largest].sequenceNr { largest = r }
            if largest == i { break }
            heap.swapAt(i, largest)
            i = largest
        }
        return top
    }
}
