import Testing
@testable import Flint

/// Creation, dtypes, views that share storage, indexing, joining and reductions.
@Suite struct TensorTests {
    @Test func literalsAndDtypes() {
        #expect(Tensor([1, 2]).dtype == .int64)
        #expect(Tensor([0.5, 1.0]).dtype == .float32)
        #expect(Tensor([1.0, 2.0], dtype: .float64).dtype == .float64)
        #expect(Tensor(27.0).dtype == .float32 && Tensor(27.0).rank == 0)
        let w: Tensor = [0.1, 1.0, 0.0001]
        #expect(w.shape == [3])
        let m = Tensor([[1, 2], [3, 4]] as [[Float]])
        #expect(m.shape == [2, 2] && m.scalars(as: Double.self) == [1, 2, 3, 4])
        let four = Tensor([[[[1.0]], [[2.0]]]])
        #expect(four.shape == [1, 2, 1, 1])
        #expect(Tensor([true, false]).dtype == .bool)
        #expect(Tensor([1.5, 2.5]).scalars(as: Int64.self) == [1, 2])
    }

    @Test func creationFunctions() {
        #expect(Tensor.zeros([2, 3]).scalars(as: Float.self) == [Float](repeating: 0, count: 6))
        #expect(Tensor.full([2], 3.0).scalars(as: Float.self) == [3, 3])
        #expect(Tensor.arange(0, 10).scalars(as: Int64.self) == Array(0..<10))
        #expect(Tensor.arange(1, 10, step: 3).scalars(as: Int64.self) == [1, 4, 7])
        #expect(Tensor.arange(0.0, 1.0, step: 0.25).scalars(as: Double.self) == [0, 0.25, 0.5, 0.75])
        #expect(Tensor.linspace(0, 1, count: 5).scalars(as: Double.self) == [0, 0.25, 0.5, 0.75, 1])
        #expect(Tensor.eye(3).scalars(as: Float.self) == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        let ones = Tensor.ones([2, 2], dtype: .float64, requiresGrad: true)
        #expect(ones.requiresGrad && ones.dtype == .float64 && ones.isLeaf)
        let r = Tensor.rand([1000])
        let values = r.scalars(as: Float.self)
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    /// Runs in a child process: the default generator is process-wide.
    @Test func manualSeedRepeatsTheStream() async {
        await #expect(processExitsWith: .success) {
            manualSeed(3)
            let a = Tensor.randn([20]).scalars(as: Float.self)
            manualSeed(3)
            precondition(Tensor.randn([20]).scalars(as: Float.self) == a)
        }
    }

    @Test func viewsShareStorageAndVersion() {
        let x = Tensor.arange(0, 6, dtype: .float32).reshape([2, 3])
        let t = x.t()
        #expect(!t.isContiguous)
        #expect(t.scalars(as: Float.self) == [0, 3, 1, 4, 2, 5])
        let row = x[1]
        row.fill_(9)
        #expect(x.scalars(as: Float.self) == [0, 1, 2, 9, 9, 9])
        #expect(x.version.value == 1 && t.version.value == 1)
        let e = Tensor([1.0, 2.0]).unsqueeze(dim: 1).expand([2, 3])
        #expect(e.scalars(as: Float.self) == [1, 1, 1, 2, 2, 2])
        #expect(x.permute([1, 0]).shape == [3, 2])
        #expect(Tensor.ones([2, 1, 3, 1]).squeeze().shape == [2, 3])
        #expect(Tensor.ones([2, 3, 4]).flatten().shape == [24])
        #expect(Tensor.ones([2, 3, 4]).flatten(startDim: 0, endDim: 1).shape == [6, 4])
        #expect(x.view([3, -1]).shape == [3, 2])
        #expect(x.t().reshape([6]).scalars(as: Float.self) == [0, 9, 1, 9, 2, 9])
    }

    @Test func indexing() {
        let x = Tensor.arange(0, 12, dtype: .float32).reshape([3, 4])
        #expect(x[0].scalars(as: Float.self) == [0, 1, 2, 3])
        #expect(x[-1].scalars(as: Float.self) == [8, 9, 10, 11])
        #expect(x[0..<2].shape == [2, 4])
        #expect(x[.all, 1].scalars(as: Float.self) == [1, 5, 9])
        #expect(x[1, 2].item() == 6)
        #expect(x[.ellipsis, 3].scalars(as: Float.self) == [3, 7, 11])
        #expect(x[.newAxis].shape == [1, 3, 4])
        #expect(x[1...].shape == [2, 4])
        #expect(x[.all, .stride(2)].scalars(as: Float.self) == [0, 2, 4, 6, 8, 10])
        x[0] = Tensor(5.0)
        #expect(x[0].scalars(as: Float.self) == [5, 5, 5, 5])
    }

    @Test func catStackAndReductions() {
        let a = Tensor([[1.0, 2.0]]), b = Tensor([[3.0, 4.0]])
        #expect(Tensor.cat([a, b]).scalars(as: Float.self) == [1, 2, 3, 4])
        #expect(Tensor.cat([a, b], dim: 1).shape == [1, 4])
        #expect(Tensor.stack([a, b]).shape == [2, 1, 2])
        let x = Tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
        #expect(x.sum().item() == 21)
        #expect(x.sum(dim: 0).scalars(as: Float.self) == [5, 7, 9])
        #expect(x.sum(dim: 1, keepDim: true).shape == [2, 1])
        #expect(x.mean(dim: 1).scalars(as: Float.self) == [3, 4])
        #expect(x.max().item() == 6 && x.min().item() == 1)
        #expect(x.argmax().item() == 5)
        #expect(x.argmax(dim: 1).scalars(as: Int64.self) == [1, 2])
        #expect(x.argmin(dim: 0, keepDim: true).shape == [1, 3])
        #expect(Swift.abs(Tensor([3.0, 4.0]).norm().item() - 5) < 1e-6)
        #expect(Tensor([1, 2, 3]).sum().dtype == .int64)
        #expect(Tensor([true, true, false]).sum().item() == 2)
    }

    @Test func comparisonsAndWhere() {
        let x = Tensor([1.0, 2.0, 3.0])
        #expect((x .> 1.5).scalars(as: Bool.self) == [false, true, true])
        #expect((x .== Tensor([1.0, 0.0, 3.0])).scalars(as: Bool.self) == [true, false, true])
        #expect(x.sum() > 5 && x.sum() < 7 && x.sum() >= 6 && x.sum() <= 6)
        #expect(Tensor.where(x .> 2, x, Tensor(0.0)).scalars(as: Float.self) == [0, 0, 3])
    }

    @Test func largeElementwiseAndMatmulUseTheParallelPaths() {
        let n = 1 << 17
        let x = Tensor.arange(0, n, dtype: .float64)
        let y = (x * 2 + 1).sum().item()
        #expect(y == Double(n) * Double(n - 1) + Double(n))
        let a = Tensor.randn([67, 131], dtype: .float64), b = Tensor.randn([131, 45], dtype: .float64)
        let c = a.matmul(b)
        let av = a.scalars(as: Double.self), bv = b.scalars(as: Double.self), cv = c.scalars(as: Double.self)
        var worst = 0.0
        for i in 0..<67 {
            for j in 0..<45 {
                var s = 0.0
                for k in 0..<131 { s += av[i * 131 + k] * bv[k * 45 + j] }
                worst = Swift.max(worst, Swift.abs(s - cv[i * 45 + j]))
            }
        }
        #expect(worst < 1e-10)
        let ct = a.t().t().matmul(b.t().contiguous().t())
        #expect(ct.scalars(as: Double.self) == cv)
    }

    @Test func threadCountCanBeSet() {
        setNumThreads(1)
        #expect(numThreads == 1)
        setNumThreads(0)
        #expect(numThreads >= 1)
    }
}
