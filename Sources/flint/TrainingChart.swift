import Foundation

/// The loss and accuracy curves of a training run as a standalone SVG image.
struct TrainingChart {
    let history: [EpochRecord]
    let title: String

    private let panelWidth = 380.0, panelHeight = 240.0, margin = 50.0

    func svg() -> String {
        let width = 2 * panelWidth + 3 * margin, height = panelHeight + 2.4 * margin
        let maxLoss = Swift.max(history.map(\.loss).max() ?? 1, 1e-9)
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(width / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>",
        ]
        parts += panel(x: margin, label: "training loss", top: maxLoss, format: "%.2f", legendAtBottom: false, series: [("train loss", "#d62728", history.map(\.loss))])
        parts += panel(x: 2 * margin + panelWidth, label: "accuracy (%)", top: 100, format: "%.0f", legendAtBottom: true, series: [
            ("train", "#1f77b4", history.map { $0.trainAccuracy * 100 }),
            ("test", "#2ca02c", history.map { $0.testAccuracy * 100 }),
        ])
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private func panel(x: Double, label: String, top: Double, format: String, legendAtBottom: Bool, series: [(String, String, [Double])]) -> [String] {
        let y0 = 1.4 * margin, epochs = Swift.max(history.count, 2)
        func px(_ i: Int) -> Double { x + Double(i) / Double(epochs - 1) * panelWidth }
        func py(_ v: Double) -> Double { y0 + panelHeight - v / top * panelHeight }
        var out = ["<rect x=\"\(x)\" y=\"\(y0)\" width=\"\(panelWidth)\" height=\"\(panelHeight)\" fill=\"none\" stroke=\"#444\"/>",
                   "<text x=\"\(x + panelWidth / 2)\" y=\"\(y0 - 8)\" text-anchor=\"middle\">\(escape(label))</text>",
                   "<text x=\"\(x + panelWidth / 2)\" y=\"\(y0 + panelHeight + 34)\" text-anchor=\"middle\">epoch</text>"]
        for k in 0...4 {
            let v = top * Double(k) / 4
            out.append("<line x1=\"\(x)\" y1=\"\(py(v))\" x2=\"\(x + panelWidth)\" y2=\"\(py(v))\" stroke=\"#ddd\"/>")
            out.append("<text x=\"\(x - 6)\" y=\"\(py(v) + 4)\" text-anchor=\"end\">\(String(format: format, v))</text>")
        }
        for i in stride(from: 0, to: history.count, by: Swift.max(1, history.count / 10)) {
            out.append("<text x=\"\(px(i))\" y=\"\(y0 + panelHeight + 16)\" text-anchor=\"middle\">\(i + 1)</text>")
        }
        for (n, (name, color, values)) in series.enumerated() {
            let points = values.enumerated().map { "\(px($0.offset)),\(py($0.element))" }.joined(separator: " ")
            out.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>")
            let ly = legendAtBottom ? y0 + panelHeight - 10 - Double(series.count - 1 - n) * 16 : y0 + 16 + Double(n) * 16
            out.append("<line x1=\"\(x + panelWidth - 90)\" y1=\"\(ly - 4)\" x2=\"\(x + panelWidth - 70)\" y2=\"\(ly - 4)\" stroke=\"\(color)\" stroke-width=\"2\"/>")
            out.append("<text x=\"\(x + panelWidth - 65)\" y=\"\(ly)\">\(escape(name))</text>")
        }
        return out
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
