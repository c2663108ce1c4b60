import Flint

/// Indexed samples of (input, target) tensors (`torch.utils.data.Dataset`).
public protocol Dataset {
    /// Number of samples.
    var count: Int { get }
    /// The sample at `index`.
    func sample(at index: Int) -> (input: Tensor, target: Tensor)
    /// The samples at `indices`, collated into batches (stacked along a new first
    /// dimension). The default stacks single samples; tensor-backed datasets gather.
    func batch(at indices: [Int]) -> (input: Tensor, target: Tensor)
}

extension Dataset {
    /// Stacks `sample(at:)` for each index.
    public func batch(at indices: [Int]) -> (input: Tensor, target: Tensor) {
        let samples = indices.map { sample(at: $0) }
        return (Tensor.stack(samples.map(\.input)), Tensor.stack(samples.map(\.target)))
    }
}

/// Samples that are rows of two tensors (`torch.utils.data.TensorDataset`).
public struct TensorDataset: Dataset {
    /// All inputs, first dimension indexing samples.
    public let inputs: Tensor
    /// All targets, first dimension indexing samples.
    public let targets: Tensor

    /// A dataset over matching rows of `inputs` and `targets`.
    public init(inputs: Tensor, targets: Tensor) {
        precondition(inputs.shape.first == targets.shape.first, "TensorDataset: size mismatch between tensors (\(inputs.shape.first ?? 0) and \(targets.shape.first ?? 0) samples)")
        self.inputs = inputs
        self.targets = targets
    }

    /// Number of rows.
    public var count: Int { inputs.shape[0] }

    /// Row `index` of both tensors.
    public func sample(at index: Int) -> (input: Tensor, target: Tensor) { (inputs[index], targets[index]) }

    /// The rows at `indices`, gathered in one pass per tensor.
    public func batch(at indices: [Int]) -> (input: Tensor, target: Tensor) {
        (TensorDataset.rows(of: inputs, indices), TensorDataset.rows(of: targets, indices))
    }

    /// The sub-dataset of the rows at `indices`.
    public func subset(_ indices: [Int]) -> TensorDataset {
        let (x, y) = batch(at: indices)
        return TensorDataset(inputs: x, targets: y)
    }

    private static func rows(of t: Tensor, _ indices: [Int]) -> Tensor {
        let rowShape = Array(t.shape.dropFirst())
        let width = rowShape.reduce(1, *)
        let flat = t.reshape([t.shape[0], width])
        let index = Tensor(flat: indices.flatMap { [Int](repeating: $0, count: width) }, shape: [indices.count, width])
        return noGrad { flat.gather(dim: 0, index: index) }.reshape([indices.count] + rowShape)
    }
}

/// Batches of a dataset in order or shuffled (`torch.utils.data.DataLoader`). Each pass
/// over the loader is one epoch; with `shuffle`, every epoch draws a new permutation from
/// the loader's own generator, seeded by `seed`, so runs are reproducible.
public final class DataLoader<Data: Dataset>: Sequence {
    /// The dataset batched.
    public let dataset: Data
    /// Samples per batch.
    public let batchSize: Int
    /// Whether each epoch visits the samples in a new random order.
    public let shuffle: Bool
    /// Whether a last, smaller batch is dropped.
    public let dropLast: Bool
    private var generator: SplitMix64

    /// A loader over `dataset`.
    public init(_ dataset: Data, batchSize: Int = 1, shuffle: Bool = false, seed: UInt64 = 0, dropLast: Bool = false) {
        precondition(batchSize > 0, "batch_size should be a positive integer value, but got batch_size=\(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        generator = SplitMix64(seed: seed)
    }

    /// Number of batches per epoch.
    public var count: Int { dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize }

    /// The batches of one epoch.
    public func makeIterator() -> AnyIterator<(input: Tensor, target: Tensor)> {
        var order = Array(0..<dataset.count)
        if shuffle { order.shuffle(using: &generator) }
        var start = 0
        let (dataset, batchSize, dropLast) = (self.dataset, self.batchSize, self.dropLast)
        return AnyIterator {
            let end = Swift.min(start + batchSize, order.count)
            guard start < end, !(dropLast && end - start < batchSize) else { return nil }
            defer { start = end }
            return dataset.batch(at: Array(order[start..<end]))
        }
    }
}

/// A small, fast, seedable generator for shuffling (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
