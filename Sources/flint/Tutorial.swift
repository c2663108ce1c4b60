import Flint

/// The seed tutorial ("Autograd: automatic differentiation" of PyTorch's 60-minute blitz)
/// in Swift. Each step prints one line of explanation, the Swift it runs, and then what
/// PyTorch prints for the same code.
struct Tutorial {
    let seed: UInt64

    func run() throws {
        manualSeed(seed)
        try basics()
        requiresGradToggle()
        try vectorJacobian()
        stoppingHistory()
        try graphStructure()
        try retainAndCreateGraph()
    }

    private func step(_ explanation: String, _ code: String) {
        print("\n# \(explanation)")
        for line in code.split(separator: "\n") { print(">>> \(line)") }
    }

    private func basics() throws {
        step("Create a tensor and set requiresGrad to track computation with it.",
             "let x = Tensor.ones([2, 2], requiresGrad: true)\nprint(x)")
        let x = Tensor.ones([2, 2], requiresGrad: true)
        print(x)

        step("Do a tensor operation: y was created by an operation, so it has a gradFn.",
             "let y = x + 2\nprint(y)\nprint(y.gradFn!)")
        let y = x + 2
        print(y)
        print(y.gradFn!)

        step("Do more operations on y.", "let z = y * y * 3\nlet out = z.mean()\nprint(z, out)")
        let z = y * y * 3
        let out = z.mean()
        print(z, out)

        step("Backprop: out holds a single scalar, so backward() needs no argument.", "try out.backward()\nprint(x.grad!)")
        try out.backward()
        print(x.grad!)
        print("# d(out)/dx = 3/2 (x + 2) = 4.5 at x = 1.")
    }

    private func requiresGradToggle() {
        step("requiresGrad_() changes an existing tensor's flag in place (false by default).",
             "var a = Tensor.randn([2, 2])\na = (a * 3) / (a - 1)\nprint(a.requiresGrad)\na.requiresGrad_(true)\nprint(a.requiresGrad)\nlet b = (a * a).sum()\nprint(b.gradFn!)")
        var a = Tensor.randn([2, 2])
        a = (a * 3) / (a - 1)
        print(python(a.requiresGrad))
        a.requiresGrad_(true)
        print(python(a.requiresGrad))
        let b = (a * a).sum()
        print(b.gradFn!)
    }

    private func vectorJacobian() throws {
        step("A dynamic graph: the loop runs as many times as the data asks.",
             "let x = Tensor.randn([3], requiresGrad: true)\nvar y = x * 2\nwhile y.data.norm() < 1000 { y = y * 2 }\nprint(y)")
        let x = Tensor.randn([3], requiresGrad: true)
        var y = x * 2
        while y.data.norm() < 1000 { y = y * 2 }
        print(y)

        step("y is not a scalar: pass the vector of a vector-Jacobian product to backward.",
             "let v = Tensor([0.1, 1.0, 0.0001])\ntry y.backward(gradient: v)\nprint(x.grad!)")
        let v = Tensor([0.1, 1.0, 0.0001])
        try y.backward(gradient: v)
        print(x.grad!)
    }

    private func stoppingHistory() {
        let x = Tensor.randn([3], requiresGrad: true)
        step("Stop tracking history with noGrad { }.",
             "print(x.requiresGrad)\nprint(pow(x, 2).requiresGrad)\nnoGrad { print(pow(x, 2).requiresGrad) }")
        print(python(x.requiresGrad))
        print(python(pow(x, 2).requiresGrad))
        noGrad { print(python(pow(x, 2).requiresGrad)) }

        step("Or detach(): the same content, without gradient tracking.",
             "print(x.requiresGrad)\nlet y = x.detach()\nprint(y.requiresGrad)\nprint((x .== y).all())")
        print(python(x.requiresGrad))
        let y = x.detach()
        print(python(y.requiresGrad))
        print((x .== y).all())
    }

    private func graphStructure() throws {
        step("Leaves and gradients: y = w * x + b with scalars.",
             "let x = Tensor([1.0], requiresGrad: true)\nlet w = Tensor([2.0], requiresGrad: true)\nlet b = Tensor([3.0], requiresGrad: true)\nlet y = w * x + b\ntry y.backward()\nprint(x.grad!)\nprint(w.grad!)\nprint(b.grad!)")
        let x = Tensor([1.0], requiresGrad: true)
        let w = Tensor([2.0], requiresGrad: true)
        let b = Tensor([3.0], requiresGrad: true)
        let y = w * x + b
        try y.backward()
        print(x.grad!)
        print(w.grad!)
        print(b.grad!)

        step("Only leaves keep .grad; intermediate results have a gradFn instead.",
             "let a = Variable(Tensor.ones([3, 4]), requiresGrad: true)\nlet c = a.add(Variable(Tensor.zeros([3, 4])))\ntry c.sum().backward()\nprint(a.grad!)\nprint(a.isLeaf, c.isLeaf, c.grad == nil)\nprint(c.gradFn!)")
        let a = Variable(Tensor.ones([3, 4]), requiresGrad: true)
        let c = a.add(Variable(Tensor.zeros([3, 4])))
        try c.sum().backward()
        print(a.grad!)
        print(python(a.isLeaf), python(c.isLeaf), python(c.grad == nil))
        print(c.gradFn!)

        step("nextFunctions walks the graph backwards: a node for y = w * x, an AccumulateGrad for the leaf b.",
             "let z = w2 * x2 + b2\nprint(z.gradFn!)\nprint(z.gradFn!.nextFunctions)")
        let x2 = Tensor.ones([1])
        let b2 = Tensor.rand([1], requiresGrad: true)
        let w2 = Tensor.rand([1], requiresGrad: true)
        let z = w2 * x2 + b2
        print(z.gradFn!)
        print(python(z.gradFn!.nextFunctions))
    }

    private func retainAndCreateGraph() throws {
        step("A second backward through the same graph needs retainGraph on the first.",
             "let x = Tensor.rand([1], requiresGrad: true)\nlet z = x * x\ntry z.backward(retainGraph: true)\ntry z.backward()\nprint(x.grad!)\ntry z.backward()  // the graph is freed now")
        let x = Tensor.rand([1], requiresGrad: true)
        let z = x * x
        try z.backward(retainGraph: true)
        try z.backward()
        print(x.grad!)
        do {
            try z.backward()
        } catch let error as AutogradError {
            print("AutogradError: \(error)")
        }

        step("createGraph makes the gradient differentiable: second derivatives of y = x³ at 3.",
             "let t = Tensor(3.0, requiresGrad: true)\nlet y = pow(t, 3)\nlet g = try Autograd.grad(outputs: [y], inputs: [t], createGraph: true)[0]!\nprint(g)\nlet h = try Autograd.grad(outputs: [g], inputs: [t])[0]!\nprint(h)")
        let t = Tensor(3.0, requiresGrad: true)
        let y = pow(t, 3)
        let g = try Autograd.grad(outputs: [y], inputs: [t], createGraph: true)[0]!
        print(g)
        let h = try Autograd.grad(outputs: [g], inputs: [t])[0]!
        print(h)
    }

    /// Python's spelling of a Bool, so the output reads as PyTorch's.
    private func python(_ flag: Bool) -> String { flag ? "True" : "False" }

    /// Python's spelling of `next_functions`.
    private func python(_ next: [(node: Node?, inputNr: Int)]) -> String {
        "(" + next.map { "(\($0.node.map { "\($0)" } ?? "None"), \($0.inputNr))" }.joined(separator: ", ") + ")"
    }
}
