import Foundation
import Testing
import Flint
@testable import FlintNN

/// Checkpoints and data files: PyTorch interchange, atomic writes, and clear errors for
/// malformed input.
@Suite struct DataTests {
    @Test func readsAFileWrittenByPython() throws {
        let (tensors, metadata) = try Safetensors.deserialize(Data(contentsOf: URL(fileURLWithPath: Fixtures.path("python_written.safetensors"))))
        #expect(metadata == ["format": "pt", "note": "fixture"])
        let expected = Fixtures.section("safetensors")
        #expect(Set(tensors.keys) == Set(expected.keys))
        let types: [String: DType] = ["float32": .float32, "float64": .float64, "int64": .int64, "bool": .bool]
        for (name, value) in expected {
            let entry = value as! [String: Any]
            let t = try #require(tensors[name])
            #expect(t.dtype == types[entry["dtype"] as! String], "\(name) dtype")
            #expect(t.shape == entry["shape"] as! [Int], "\(name) shape")
            #expect(t.doubles == fixtureValues(entry["values"]), "\(name) values")
        }
        #expect(tensors["steps"]?.scalars(as: Int64.self) == [3, -7, 1 << 40])
    }

    @Test func writesTheSameBytesAsPython() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("python_written.safetensors")))
        let (tensors, metadata) = try Safetensors.deserialize(original)
        #expect(try Safetensors.serialize(tensors, metadata: metadata) == original)
    }

    @Test func saveIsAtomicAndRoundTrips() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("model.safetensors").path
        let model = Sequential(Linear(3, 4), BatchNorm1d(4))
        try Safetensors.save(model.stateDict(), to: path)
        try Safetensors.save(model.stateDict(), to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.safetensors"])
        let other = Sequential(Linear(3, 4), BatchNorm1d(4))
        try other.loadStateDict(Safetensors.load(from: path))
        for ((n1, a), (n2, b)) in zip(model.stateDict(), other.stateDict()) {
            #expect(n1 == n2 && a.doubles == b.doubles)
        }
        #expect(throws: (any Error).self) { try Safetensors.save(model.stateDict(), to: dir.appendingPathComponent("missing/x.safetensors").path) }
    }

    @Test func malformedCheckpointsThrowClearErrors() throws {
        var state = StateDict()
        state["w"] = Tensor.ones([2, 3])
        let good = try Safetensors.serialize(state)
        func message(_ data: Data) -> String {
            do {
                _ = try Safetensors.deserialize(data, name: "bad.safetensors")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message(good.prefix(5)).contains("truncated"))
        #expect(message(good.prefix(good.count - 4)).contains("truncated"))
        var huge = good
        huge.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { Data($0) })
        #expect(message(huge).contains("larger than"))
        let text = String(decoding: good, as: UTF8.self)
        #expect(message(Data(text.replacingOccurrences(of: "\"F32\"", with: "\"F16\"").utf8)).contains("unsupported dtype F16"))
        #expect(message(Data(text.replacingOccurrences(of: "[2,3]", with: "[3,3]").utf8)).contains("needs 36 bytes"))
        var garbage = good
        garbage.replaceSubrange(8..<9, with: [0x5B])
        #expect(message(garbage).contains("not a JSON object"))
        let model = Sequential(Linear(2, 2))
        var wrongShape = StateDict()
        wrongShape["0.weight"] = Tensor.ones([3, 2])
        wrongShape["0.bias"] = Tensor.ones([2])
        #expect(throws: StateDictError.self) { try model.loadStateDict(wrongShape) }
    }

    @Test func csvAndIdxLoaders() throws {
        let table = try DataFiles.csv(text: "a,b,label\n1,2,0\n3,4.5,1\n", hasHeader: true)
        #expect(table.inputs.shape == [2, 2] && table.inputs.doubles == [1, 2, 3, 4.5])
        #expect(table.targets.scalars(as: Int64.self) == [0, 1])
        #expect(throws: DataFileError.self) { try DataFiles.csv(text: "1,2\n3\n") }
        #expect(throws: DataFileError.self) { try DataFiles.csv(text: "1,x\n") }

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flint-idx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2] + [0, 255, 51, 102, 1, 2, 3, 4]
        let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 2, 7, 3]
        let imagePath = dir.appendingPathComponent("images").path, labelPath = dir.appendingPathComponent("labels").path
        FileManager.default.createFile(atPath: imagePath, contents: Data(images))
        FileManager.default.createFile(atPath: labelPath, contents: Data(labels))
        let mnist = try DataFiles.mnist(images: imagePath, labels: labelPath)
        #expect(mnist.inputs.shape == [2, 1, 2, 2])
        #expect(mnist.inputs[0].doubles == [0, 1, 0.2, 0.4].map { Double(Float($0)) })
        #expect(mnist.targets.scalars(as: Int64.self) == [7, 3])
        FileManager.default.createFile(atPath: labelPath, contents: Data(labels.dropLast()))
        #expect(throws: DataFileError.self) { try DataFiles.mnist(images: imagePath, labels: labelPath) }
        FileManager.default.createFile(atPath: imagePath, contents: Data([1, 2, 3]))
        #expect(throws: DataFileError.self) { try DataFiles.mnist(images: imagePath, labels: labelPath) }
    }

    @Test func dataLoaderBatchesShufflesAndDropsLast() {
        let data = TensorDataset(inputs: Tensor.arange(0, 10, dtype: .float32).reshape([10, 1]), targets: Tensor.arange(0, 10))
        let ordered = DataLoader(data, batchSize: 4)
        #expect(ordered.count == 3)
        #expect(ordered.map { $0.target.scalars(as: Int64.self) } == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        let dropping = DataLoader(data, batchSize: 4, dropLast: true)
        #expect(dropping.map { $0.input.shape } == [[4, 1], [4, 1]])
        let shuffled = DataLoader(data, batchSize: 5, shuffle: true, seed: 42)
        let epoch1 = shuffled.flatMap { $0.target.scalars(as: Int64.self) }
        let epoch2 = shuffled.flatMap { $0.target.scalars(as: Int64.self) }
        #expect(epoch1.sorted() == Array(0..<10) && epoch1 != epoch2)
        let again = DataLoader(data, batchSize: 5, shuffle: true, seed: 42).flatMap { $0.target.scalars(as: Int64.self) }
        #expect(again == epoch1)
        let first = shuffled.makeIterator().next()!
        #expect(first.input.scalars(as: Float.self).map { Int64($0) } == first.target.scalars(as: Int64.self))
    }

    @Test func digitsShipWithTheLibrary() throws {
        let digits = try Digits.load()
        #expect(digits.count == 1797)
        #expect(digits.inputs.shape == [1797, 1, 8, 8])
        #expect(digits.inputs.max().item() == 1 && digits.inputs.min().item() == 0)
        #expect(digits.targets.scalars(as: Int64.self).prefix(10) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        let (train, test) = Digits.split(digits)
        #expect(train.count + test.count == 1797 && test.count == 359)
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
