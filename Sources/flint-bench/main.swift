// Flint's benchmark workloads (the W-ids of the project's benchmark plan), printed one
// line per workload in the format of the PyTorch reference script, so both can be
// paired: `W1          3.21 us/iter   (...)`.
//
// usage: swift run -c release flint-bench [--threads N] [--only W1,W4]
import Flint
import Foundation

struct Timing {
    var median: Double, min: Double, max: Double, repeats: Int, inner: Int
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Warm-up, then an inner count calibrated so one repeat lasts about `target` seconds,
/// then the median over repeats of the per-call time (as the reference scripts do).
func bench(target: Double = 0.3, repeats: Int = 11, warmup: Double = 0.5, budget: Double = 12, _ fn: () -> Void) -> Timing {
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

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
let threads = Int(option("--threads") ?? "") ?? 2
setNumThreads(threads)
let workloads: [(String, () -> Void)] = [("W1", w1), ("W2", w2), ("W4", w4), ("W6", w6), ("W7", w7)]
let only = option("--only").map { Set($0.uppercased().split(separator: ",").map(String.init)) }
print("# flint threads=\(numThreads)")
for (id, run) in workloads where only?.contains(id) ?? true { run() }
