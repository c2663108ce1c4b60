import Flint
import Foundation

/// A checkpoint file that is malformed or does not hold what was asked for.
public struct CheckpointError: Error, CustomStringConvertible {
    /// The problem, naming the file.
    public let description: String
}

/// Reads and writes the safetensors format of Hugging Face's `safetensors` package: an
/// 8-byte little-endian header length, a JSON header mapping names to dtype, shape and
/// byte offsets (padded with spaces to 8 bytes), then the little-endian data. Files
/// written here are laid out as the Python package lays them out (tensors ordered by
/// dtype, then name), and load there with `safetensors.torch.load_file`.
public enum Safetensors {
    /// Largest header accepted, as the reference implementation's limit.
    static let maxHeaderSize = 100_000_000

    /// Writes `tensors` (and string `metadata`) to `path` atomically: a temporary file in
    /// the same folder is renamed over the target, so a failure never leaves half a file.
    public static func save(_ tensors: StateDict, to path: String, metadata: [String: String]? = nil) throws {
        try serialize(tensors, metadata: metadata).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The bytes of a safetensors file holding `tensors`.
    public static func serialize(_ tensors: StateDict, metadata: [String: String]? = nil) throws -> Data {
        let entries = tensors.map { ($0, $1) }.sorted { a, b in
            a.1.dtype.safetensorsRank != b.1.dtype.safetensorsRank ? a.1.dtype.safetensorsRank > b.1.dtype.safetensorsRank : a.0 < b.0
        }
        var header: [String] = []
        if let metadata {
            header.append("\"__metadata__\":{" + metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(separator: ",") + "}")
        }
        var body = Data()
        for (name, tensor) in entries {
            let start = body.count
            body.append(littleEndianBytes(of: tensor))
            header.append("\(jsonString(name)):{\"dtype\":\"\(tensor.dtype.safetensorsName)\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(start),\(body.count)]}")
        }
        var json = Data(("{" + header.joined(separator: ",") + "}").utf8)
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(body)
        return file
    }

    /// Reads every tensor of the safetensors file at `path`, in file order.
    public static func load(from path: String) throws -> StateDict {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError(description: "\(path): cannot be read")
        }
        return try deserialize(data, name: path).tensors
    }

    /// Parses safetensors bytes, validating the header against the data; `name` is
    /// used in error messages.
    public static func deserialize(_ data: Data, name: String = "safetensors") throws -> (tensors: StateDict, metadata: [String: String]) {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw CheckpointError(description: "\(name): truncated: \(bytes.count) bytes, shorter than the 8-byte header length") }
        let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(maxHeaderSize) else {
            throw CheckpointError(description: "\(name): header of \(headerLength) bytes is larger than the \(maxHeaderSize)-byte limit")
        }
        guard Int(headerLength) <= bytes.count - 8 else {
            throw CheckpointError(description: "\(name): truncated: header of \(headerLength) bytes but only \(bytes.count - 8) bytes follow")
        }
        let headerEnd = 8 + Int(headerLength)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])), let header = object as? [String: Any] else {
            throw CheckpointError(description: "\(name): header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: DType, shape: [Int], start: Int, end: Int)] = []
        for (key, value) in header {
            if key == "__metadata__" {
                guard let m = value as? [String: String] else { throw CheckpointError(description: "\(name): __metadata__ must map strings to strings") }
                metadata = m
                continue
            }
            guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
                  let shape = (info["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (info["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }), offsets.count == 2 else {
                throw CheckpointError(description: "\(name): entry '\(key)' lacks a dtype, shape or data_offsets")
            }
            guard let dtype = DType(safetensorsName: dtypeName) else {
                throw CheckpointError(description: "\(name): tensor '\(key)' has unsupported dtype \(dtypeName) (supported: F32, F64, I64, BOOL)")
            }
            guard shape.count == (info["shape"] as? [Any])?.count, shape.allSatisfy({ $0 >= 0 }) else {
                throw CheckpointError(description: "\(name): tensor '\(key)' has an invalid shape")
            }
            let expected = shape.reduce(1, *) * dtype.byteSize
            guard offsets[0] >= 0, offsets[1] - offsets[0] == expected else {
                throw CheckpointError(description: "\(name): tensor '\(key)' of shape \(shape) and dtype \(dtypeName) needs \(expected) bytes, but its offsets \(offsets) span \(offsets[1] - offsets[0])")
            }
            entries.append((key, dtype, shape, offsets[0], offsets[1]))
        }
        entries.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        let bodySize = bytes.count - headerEnd
        var position = 0
        for entry in entries {
            guard entry.start == position else {
                throw CheckpointError(description: "\(name): tensor '\(entry.name)' starts at byte \(entry.start), expected \(position) (data must be contiguous)")
            }
            position = entry.end
        }
        guard position == bodySize else {
            throw CheckpointError(description: "\(name): truncated or padded: tensors cover \(position) bytes, the file holds \(bodySize) data bytes")
        }
        var tensors = StateDict()
        for entry in entries {
            tensors[entry.name] = tensor(from: bytes, at: headerEnd + entry.start, dtype: entry.dtype, shape: entry.shape)
        }
        return (tensors, metadata)
    }

    private static func littleEndianBytes(of tensor: Tensor) -> Data {
        switch tensor.dtype {
        case .float32: tensor.scalars(as: Float.self).withUnsafeBytes { Data($0) }
        case .float64: tensor.scalars(as: Double.self).withUnsafeBytes { Data($0) }
        case .int64: tensor.scalars(as: Int64.self).withUnsafeBytes { Data($0) }
        case .bool: Data(tensor.scalars(as: Bool.self).map { $0 ? 1 : 0 })
        }
    }

    private static func tensor(from bytes: [UInt8], at offset: Int, dtype: DType, shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        func values<T>(_: T.Type) -> [T] {
            bytes.withUnsafeBytes { raw in (0..<n).map { raw.loadUnaligned(fromByteOffset: offset + $0 * MemoryLayout<T>.size, as: T.self) } }
        }
        switch dtype {
        case .float32: return Tensor(flat: values(Float.self), shape: shape)
        case .float64: return Tensor(flat: values(Double.self), shape: shape, dtype: .float64)
        case .int64: return Tensor(flat: values(Int64.self).map { Int($0) }, shape: shape)
        case .bool: return Tensor(flat: (0..<n).map { bytes[offset + $0] != 0 }, shape: shape)
        }
    }

    private static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

extension DType {
    /// The safetensors dtype code.
    var safetensorsName: String {
        switch self {
        case .float32: "F32"
        case .float64: "F64"
        case .int64: "I64"
        case .bool: "BOOL"
        }
    }

    /// Order of the dtype in the safetensors package's `Dtype` enum (files list larger first).
    var safetensorsRank: Int {
        switch self {
        case .bool: 0
        case .float32: 1
        case .float64: 2
        case .int64: 3
        }
    }

    init?(safetensorsName name: String) {
        switch name {
        case "F32": self = .float32
        case "F64": self = .float64
        case "I64": self = .int64
        case "BOOL": self = .bool
        default: return nil
        }
    }
}
