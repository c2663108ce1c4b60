import Flint
import Foundation

/// A data file that could not be read: what is wrong and where.
public struct DataFileError: Error, CustomStringConvertible {
    /// The problem, naming the file.
    public let description: String
}

/// Readers for common dataset file formats.
public enum DataFiles {
    /// Reads a numeric CSV file: every row must have the same number of fields, each a
    /// number. `labelColumn` (negative counts from the end) is split off as int64
    /// targets; the rest become float32 inputs of shape `[rows, columns - 1]`.
    public static func csv(at path: String, hasHeader: Bool = false, labelColumn: Int = -1) throws -> TensorDataset {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DataFileError(description: "\(path): cannot be read as UTF-8 text")
        }
        return try csv(text: text, name: path, hasHeader: hasHeader, labelColumn: labelColumn)
    }

    /// Parses numeric CSV text (see `csv(at:)`); `name` is used in error messages.
    public static func csv(text: String, name: String = "csv", hasHeader: Bool = false, labelColumn: Int = -1) throws -> TensorDataset {
        var lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        if hasHeader { lines = Array(lines.dropFirst()) }
        guard let first = lines.first else { throw DataFileError(description: "\(name): no data rows") }
        let width = first.split(separator: ",", omittingEmptySubsequences: false).count
        guard width >= 2 else { throw DataFileError(description: "\(name): need at least two columns, found \(width)") }
        let label = labelColumn < 0 ? width + labelColumn : labelColumn
        guard label >= 0 && label < width else { throw DataFileError(description: "\(name): label column \(labelColumn) is outside the \(width) columns") }
        var features: [Float] = [], labels: [Int] = []
        features.reserveCapacity(lines.count * (width - 1))
        for (row, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == width else {
                throw DataFileError(description: "\(name): row \(row + 1) has \(fields.count) fields, expected \(width)")
            }
            for (column, field) in fields.enumerated() {
                guard let value = Double(field.trimmingCharacters(in: .whitespaces)) else {
                    throw DataFileError(description: "\(name): row \(row + 1), column \(column + 1): '\(field)' is not a number")
                }
                if column == label {
                    guard value == value.rounded(), Swift.abs(value) < 1e15 else {
                        throw DataFileError(description: "\(name): row \(row + 1): label '\(field)' is not an integer")
                    }
                    labels.append(Int(value))
                } else {
                    features.append(Float(value))
                }
            }
        }
        return TensorDataset(inputs: Tensor(flat: features, shape: [lines.count, width - 1]), targets: Tensor(labels))
    }

    /// Reads an MNIST IDX pair (uncompressed `*-images-idx3-ubyte` and
    /// `*-labels-idx1-ubyte`): images as float32 `[N, 1, rows, cols]` scaled to [0, 1],
    /// labels as int64 `[N]`. Malformed or mismatched files throw.
    public static func mnist(images imagesPath: String, labels labelsPath: String) throws -> TensorDataset {
        let images = try idx(at: imagesPath, expectedRank: 3)
        let labels = try idx(at: labelsPath, expectedRank: 1)
        guard images.dims[0] == labels.dims[0] else {
            throw DataFileError(description: "\(imagesPath) holds \(images.dims[0]) images but \(labelsPath) holds \(labels.dims[0]) labels")
        }
        let pixels = images.bytes.map { Float($0) / 255 }
        let x = Tensor(flat: pixels, shape: [images.dims[0], 1, images.dims[1], images.dims[2]])
        return TensorDataset(inputs: x, targets: Tensor(labels.bytes.map { Int($0) }))
    }

    /// Parses an IDX file of unsigned bytes: magic `0x0000 08 rank`, big-endian sizes, data.
    static func idx(at path: String, expectedRank: Int) throws -> (dims: [Int], bytes: [UInt8]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataFileError(description: "\(path): cannot be read") }
        let bytes = [UInt8](data)
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else { throw DataFileError(description: "\(path): not an IDX file (bad magic number)") }
        guard bytes[2] == 0x08 else { throw DataFileError(description: "\(path): IDX element type 0x\(String(bytes[2], radix: 16)) is not unsigned byte") }
        let rank = Int(bytes[3])
        guard rank == expectedRank else { throw DataFileError(description: "\(path): IDX rank \(rank), expected \(expectedRank)") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else { throw DataFileError(description: "\(path): truncated IDX header") }
        let dims = (0..<rank).map { d in (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * d + $1]) } }
        let expected = dims.reduce(1, *)
        guard bytes.count - headerSize == expected else {
            throw DataFileError(description: "\(path): IDX header promises \(expected) bytes of data, file has \(bytes.count - headerSize)")
        }
        return (dims, Array(bytes[headerSize...]))
    }
}

/// The UCI optical handwritten digits shipped with Flint: 1,797 images of 8×8 pixels
/// (values 0–16), 10 classes. Source: scikit-learn's `digits.csv.gz` (UCI ML
/// repository, CC BY 4.0).
public enum Digits {
    /// All 1,797 samples: inputs float32 `[N, 1, 8, 8]` scaled to [0, 1], targets int64.
    public static func load() throws -> TensorDataset {
        guard let url = Bundle.module.url(forResource: "digits", withExtension: "csv") else {
            throw DataFileError(description: "digits.csv is missing from the FlintNN bundle")
        }
        let table = try DataFiles.csv(at: url.path)
        let images = noGrad { table.inputs.reshape([table.count, 1, 8, 8]) / 16 }
        return TensorDataset(inputs: images, targets: table.targets)
    }

    /// A seeded split into `testFraction` test samples and the rest for training.
    public static func split(_ data: TensorDataset, testFraction: Double = 0.2, seed: UInt64 = 0) -> (train: TensorDataset, test: TensorDataset) {
        var generator = SplitMix64(seed: seed)
        var order = Array(0..<data.count)
        order.shuffle(using: &generator)
        let testCount = Int(Double(data.count) * testFraction)
        return (data.subset(Array(order[testCount...])), data.subset(Array(order[..<testCount])))
    }
}
