#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// PyTorch's default print options.
private enum PrintOptions {
    static let precision = 4
    static let threshold = 1000
    static let edgeItems = 3
    static let lineWidth = 80
}

extension Tensor: CustomStringConvertible {
    /// The text PyTorch's `print(t)` shows: `tensor([[3., 3.], [3., 3.]], grad_fn=<AddBackward0>)`
    /// with PyTorch's number formatting, alignment, wrapping and summarization.
    public var description: String {
        let prefix = "tensor("
        let indent = prefix.count
        var suffixes: [String] = []
        let body: String
        let data = contiguousData()
        let values = (0..<count).map { data.element(atLinear: $0) }
        if count == 0 {
            if rank != 1 { suffixes.append("size=(" + shape.map(String.init).joined(separator: ", ") + (rank == 1 ? ",)" : ")")) }
            if dtype != .float32 { suffixes.append("dtype=\(dtype)") }
            body = "[]"
        } else {
            if dtype == .float64 { suffixes.append("dtype=\(dtype)") }
            let summarize = count > PrintOptions.threshold
            let printer = TensorPrinter(values: values, shape: shape, dtype: dtype, summarize: summarize)
            body = printer.render(indent: indent)
        }
        if let node = gradNode {
            suffixes.append("grad_fn=<\(node.name)>")
        } else if requiresGrad {
            suffixes.append("requires_grad=True")
        }
        return Self.addingSuffixes(prefix + body, suffixes, indent: indent)
    }

    private static func addingSuffixes(_ text: String, _ suffixes: [String], indent: Int) -> String {
        var result = text
        let lastNewline = text.lastIndex(of: "\n").map { text.distance(from: text.startIndex, to: $0) } ?? -1
        var lastLineLength = text.count - lastNewline + 1
        for suffix in suffixes {
            if lastLineLength + suffix.count + 2 > PrintOptions.lineWidth {
                result += ",\n" + String(repeating: " ", count: indent) + suffix
                lastLineLength = indent + suffix.count
            } else {
                result += ", " + suffix
                lastLineLength += suffix.count + 2
            }
        }
        return result + ")"
    }
}

/// Lays out a tensor's values as PyTorch's `_tensor_str` does.
private struct TensorPrinter {
    let values: [Double]
    let shape: [Int]
    let dtype: DType
    let summarize: Bool
    let formatter: ElementFormatter

    init(values: [Double], shape: [Int], dtype: DType, summarize: Bool) {
        self.values = values
        self.shape = shape
        self.dtype = dtype
        self.summarize = summarize
        let shown = summarize ? TensorPrinter.summarizedValues(values, shape: shape) : values
        formatter = ElementFormatter(values: shown, dtype: dtype)
    }

    func render(indent: Int) -> String {
        shape.isEmpty ? formatter.format(values[0]) : render(dim: 0, start: 0, indent: indent)
    }

    private var strides: [Int] { Shape.contiguousStrides(shape) }

    /// The positions of dimension `dim` that are shown (all, or the edges around "...").
    private func shownIndices(_ size: Int) -> [Int?] {
        if summarize && size > 2 * PrintOptions.edgeItems {
            return Array(0..<PrintOptions.edgeItems) + [nil] + Array((size - PrintOptions.edgeItems)..<size)
        }
        return Array(0..<size)
    }

    private func render(dim: Int, start: Int, indent: Int) -> String {
        let size = shape[dim], stride = strides[dim]
        if dim == shape.count - 1 {
            let elementLength = formatter.width + 2
            let perLine = Swift.max(1, (PrintOptions.lineWidth - indent) / elementLength)
            let items = shownIndices(size).map { i in i.map { formatter.format(values[start + $0 * stride]) } ?? " ..." }
            var lines: [String] = []
            var i = 0
            while i < items.count {
                lines.append(items[i..<Swift.min(i + perLine, items.count)].joined(separator: ", "))
                i += perLine
            }
            return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        let slices = shownIndices(size).map { i in
            i.map { render(dim: dim + 1, start: start + $0 * stride, indent: indent + 1) } ?? "..."
        }
        let separator = "," + String(repeating: "\n", count: shape.count - dim - 1) + String(repeating: " ", count: indent + 1)
        return "[" + slices.joined(separator: separator) + "]"
    }

    /// The edge values PyTorch's formatter looks at when summarizing.
    private static func summarizedValues(_ values: [Double], shape: [Int]) -> [Double] {
        let strides = Shape.contiguousStrides(shape)
        func collect(_ dim: Int, _ start: Int, into out: inout [Double]) {
            if dim == shape.count { out.append(values[start]); return }
            let size = shape[dim]
            let indices = size > 2 * PrintOptions.edgeItems ? Array(0..<PrintOptions.edgeItems) + Array((size - PrintOptions.edgeItems)..<size) : Array(0..<size)
            for i in indices { collect(dim + 1, start + i * strides[dim], into: &out) }
        }
        var out: [Double] = []
        collect(0, 0, into: &out)
        return out
    }
}

/// PyTorch's `_Formatter`: picks integer, fixed or scientific notation from the values
/// and pads every element to a common width.
private struct ElementFormatter {
    let dtype: DType
    var intMode = true
    var sciMode = false
    var width = 1

    init(values: [Double], dtype: DType) {
        self.dtype = dtype
        guard dtype.isFloatingPoint else {
            width = values.map { plain($0).count }.max() ?? 1
            return
        }
        let finite = values.filter { $0.isFinite && $0 != 0 }
        guard !finite.isEmpty else { return }
        let magnitudes = finite.map(Swift.abs)
        let lo = magnitudes.min()!, hi = magnitudes.max()!
        intMode = finite.allSatisfy { $0 == $0.rounded(.up) }
        if intMode {
            sciMode = hi / lo > 1000 || hi > 1e8
            width = finite.map { sciMode ? cFormat("%.4e", $0).count : cFormat("%.0f", $0).count + 1 }.max()!
        } else {
            sciMode = hi / lo > 1000 || hi > 1e8 || lo < 1e-4
            width = finite.map { cFormat(sciMode ? "%.4e" : "%.4f", $0).count }.max()!
        }
    }

    func format(_ value: Double) -> String {
        let text: String
        if !dtype.isFloatingPoint {
            text = plain(value)
        } else if value.isNaN {
            text = "nan"
        } else if sciMode {
            text = cFormat("%.4e", value)
        } else if intMode {
            text = cFormat("%.0f", value) + (value.isFinite ? "." : "")
        } else {
            text = cFormat("%.4f", value)
        }
        return String(repeating: " ", count: Swift.max(0, width - text.count)) + text
    }

    private func plain(_ value: Double) -> String {
        dtype == .bool ? (value != 0 ? "True" : "False") : String(Int64(value))
    }
}

/// `printf`-style formatting of one double (C's rules match Python's for these formats).
private func cFormat(_ format: String, _ value: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
    return String(cString: buffer)
}
