// Flint's benchmark workloads (the W-ids of the project's benchmark plan), printed one
// line per workload in the format of the PyTorch reference script, so both can be
// paired: `W1          3.21 us/iter   (...)`.
//
// usage: swift run -c release flint-bench [--threads N] [--only W1,W4] [--fixed N]
// (M1 re-runs this executable with --m1-child to measure memory in a fresh process.)
import Flint
import FlintNN
import Foundation

struct Timing {
    var median: Double, min: Double, max: Double, repeats: Int, inner: Int
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// With `--fixed N`, each workload's step runs exactly N times and no timing is done:
/// a repeatable load for profilers (`valgrind --tool=callgrind`).
let fixedIterations: Int? = CommandLine.arguments.firstIndex(of: "--fixed").flatMap { Int(CommandLine.arguments[$0 + 1]) }

/// Warm-up, then an inner count calibrated so one repeat lasts about `target` seconds,
/// then the median over repeats of the per-call time (as the reference scripts do).
func bench(target: Double = 0.3, repeats: Int = 11, warmup: Double = 0.5, budget: Double = 12, _ fn: () -> Void) -> Timing {
    if let fixedIterations {
        for _ in 0..<fixedIterations { fn() }
        return Timing(median: .nan, min: .nan, max: .nan, repeats: 1, inner: fixedIterations)
    }
    let t0 = now()
    fn()
    var calls = 1
    let tw = now()
    while calls < 2 || (now() - tw < warmup && now() - t0 < budget / 4) {
        fn()
        calls += 1
    }
    let t1 = now()
    fn()
    let estimate = Swift.max(now() - t1, 1e-7)
    let inner = Swift.max(1, Int(target / estimate))
    var reps = repeats
    if estimate * Double(inner * reps) > budget { reps = Swift.max(3, Int(budget / (estimate * Double(inner)))) }
    var per: [Double] = []
    for _ in 0..<reps {
        let t = now()
        for _ in 0..<inner { fn() }
        per.append((now() - t) / Double(inner))
    }
    let sorted = per.sorted()
    let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    return Timing(median: median, min: sorted.first!, max: sorted.last!, repeats: reps, inner: inner)
}

func line(_ id: String, _ figure: Double, _ unit: String, _ extra: String, _ timing: Timing) {
    let spread = String(format: "min %.4g / max %.4g ms over %dx%d", timing.min * 1e3, timing.max * 1e3, timing.repeats, timing.inner)
    let detail = extra.isEmpty ? spread : extra + "; " + spread
    print(String(format: "%@ %12.4g %@   (%@)", id.padding(toLength: 4, withPad: " ", startingAt: 0), figure, unit, detail))
    fflush(nil)
}

func w1() {
    let t = bench {
        let x = Tensor.ones([2, 2], requiresGrad: true)
        let y = x + 2
        let z = y * y * 3
        let out = z.mean()
        try! out.backward()
        x.grad = nil
    }
    line("W1", t.median * 1e6, "us/iter", "", t)
}

func w2() {
    let x = Tensor([0.1257302165031433, -0.13210485875606537, 0.6404226422309875], requiresGrad: true)
    let v = Tensor([0.1, 1.0, 1e-4])
    var loops = 0
    var y = x * 2
    while y.norm() < 1000 { y = y * 2; loops += 1 }
    let t = bench {
        var y = x * 2
        while y.norm() < 1000 { y = y * 2 }
        try! y.backward(gradient: v)
        x.grad = nil
    }
    line("W2", t.median * 1e6, "us/iter", "loop body runs \(loops) times", t)
}

func w4() {
    let n = 1024
    manualSeed(4)
    let a = Tensor.randn([n, n], requiresGrad: true)
    let b = Tensor.randn([n, n], requiresGrad: true)
    let t = bench(target: 0.3, repeats: 9) {
        try! a.matmul(b).sum().backward()
        a.grad = nil
        b.grad = nil
    }
    line("W4", 6 * pow(Double(n), 3) / t.median / 1e9, "GFLOP/s", String(format: "%.2f ms/iter", t.median * 1e3), t)
}

func w6() {
    let n = 4 * 1024 * 1024
    manualSeed(6)
    let x = Tensor.randn([n], requiresGrad: true)
    let t = bench {
        try! ((x * 2 + 1).tanh()).sum().backward()
        x.grad = nil
    }
    line("W6", Double(n * 4) / t.median / 1e9, "GB/s (x read)", String(format: "%.3f ms/iter", t.median * 1e3), t)
}

func w7() {
    manualSeed(7)
    let x = Tensor.randn([16], requiresGrad: true)
    let t = bench(target: 0.3, repeats: 9, budget: 15) {
        var y = x
        for _ in 0..<10_000 { y = (y * 1.0001).sin() }
        try! y.sum().backward()
        x.grad = nil
    }
    line("W7", t.median * 1e3, "ms/iter", "", t)
}

/// W3's model, data and optimizer: MLP 784-256-128-10, batch 64, SGD lr 0.01 momentum 0.9.
func mlpTrainingStep() -> () -> Void {
    manualSeed(3)
    let model = Sequential(Linear(784, 256), ReLU(), Linear(256, 128), ReLU(), Linear(128, 10))
    let x = Tensor.randn([64, 784])
    let y = Tensor.randint(10, [64])
    let optimizer = SGD(model.parameters(), lr: 0.01, momentum: 0.9)
    let loss = CrossEntropyLoss()
    return {
        optimizer.zeroGrad()
        try! loss(model(x), y).backward()
        optimizer.step()
    }
}

func w3() {
    let step = mlpTrainingStep()
    let t = bench(step)
    line("W3", 1 / t.median, "steps/s", String(format: "%.3f ms/step", t.median * 1e3), t)
}

func w5() {
    manualSeed(5)
    let model = Sequential(
        Conv2d(1, 6, kernelSize: 5), ReLU(), MaxPool2d(2), Conv2d(6, 16, kernelSize: 5), ReLU(), MaxPool2d(2),
        Flatten(), Linear(256, 120), ReLU(), Linear(120, 84), ReLU(), Linear(84, 10))
    let x = Tensor.randn([32, 1, 28, 28])
    let y = Tensor.randint(10, [32])
    let optimizer = SGD(model.parameters(), lr: 0.01)
    let loss = CrossEntropyLoss()
    let t = bench {
        optimizer.zeroGrad()
        try! loss(model(x), y).backward()
        optimizer.step()
    }
    line("W5", 1 / t.median, "steps/s", String(format: "%.3f ms/step", t.median * 1e3), t)
}

/// W8: the Hessian-vector product of W3's loss with respect to the first weight
/// (double backward through the MLP).
func w8() {
    manualSeed(3)
    let model = Sequential(Linear(784, 256), ReLU(), Linear(256, 128), ReLU(), Linear(128, 10))
    let x = Tensor.randn([64, 784])
    let y = Tensor.randint(10, [64])
    let v = Tensor.randn([256, 784])
    let weight = model.parameters()[0]
    let loss = CrossEntropyLoss()
    let t = bench {
        let l = loss(model(x), y)
        let g = try! Autograd.grad(outputs: [l], inputs: [weight], createGraph: true)[0]!
        _ = try! Autograd.grad(outputs: [g], inputs: [weight], gradOutputs: [v])
    }
    line("W8", t.median * 1e3, "ms/iter", "", t)
}

/// (VmRSS, VmHWM) of this process in MiB.
func residentMemory() -> (current: Double, peak: Double) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Double {
        guard let row = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return .nan }
        return (Double(row.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? .nan) / 1024
    }
    return (field("VmRSS:"), field("VmHWM:"))
}

/// M1 in a fresh process: W3 for 2000 steps, RSS after steps 100 and 2000, peak RSS.
func m1Child() {
    let step = mlpTrainingStep()
    var at100 = 0.0
    let start = now()
    for i in 1...2000 {
        step()
        if i == 100 { at100 = residentMemory().current }
    }
    let (final, peak) = residentMemory()
    print(String(format: "%.3f %.3f %.3f %.2f", peak, at100, final, now() - start))
}

func m1() {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--m1-child", "--threads", "\(numThreads)"]
    let pipe = Pipe()
    child.standardOutput = pipe
    try! child.run()
    child.waitUntilExit()
    let fields = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    let (peak, at100, final, seconds) = (fields[0], fields[1], fields[2], fields[3])
    let detail = String(format: "RSS@100=%.1f MiB, RSS@2000=%.1f MiB, growth(100->2000)=%+.2f MiB, %.1f s", at100, final, final - at100, seconds)
    print(String(format: "%@ %12.4g %@   (%@)", "M1  ", peak, "MiB peak RSS", detail))
}

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
let threads = Int(option("--threads") ?? "") ?? 2
setNumThreads(threads)
if arguments.contains("--m1-child") {
    m1Child()
    exit(0)
}
let workloads: [(String, () -> Void)] = [("W1", w1), ("W2", w2), ("W3", w3), ("W4", w4), ("W5", w5), ("W6", w6), ("W7", w7), ("W8", w8), ("M1", m1)]
let only = option("--only").map { Set($0.uppercased().split(separator: ",").map(String.init)) }
print("# flint threads=\(numThreads)")
for (id, run) in workloads where only?.contains(id) ?? true { run() }
