/// A misuse of the autograd graph that PyTorch reports as a `RuntimeError`. The
/// `description` carries PyTorch's wording and, where known, the Swift source line that
/// created the node involved.
public struct AutogradError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, for matching in code.
    public enum Kind: Sendable, Equatable {
        /// `backward()` without a gradient on a tensor with more than one element.
        case implicitGradientForNonScalar
        /// A second backward through a graph whose saved tensors were freed.
        case graphFreed
        /// A saved tensor was modified in place after it was saved.
        case modifiedByInplace
        /// The output does not require grad and has no `gradFn`.
        case doesNotRequireGrad
        /// An input of `Autograd.grad` is not reached from the outputs.
        case unusedInput
        /// A supplied gradient's shape differs from its output's.
        case shapeMismatch
        /// A backward node produced NaN or infinity under `Autograd.detectAnomaly`.
        case anomaly
        /// Any other misuse.
        case invalidArgument
    }

    /// The category of the failure.
    public let kind: Kind
    /// PyTorch's message, with Flint's source-line note appended where known.
    public let description: String

    init(_ kind: Kind, _ message: String, location: SourceLocation? = nil) {
        self.kind = kind
        if let location {
            self.description = message + " (the node was created at \(location))"
        } else {
            self.description = message
        }
    }
}

/// Where in the user's Swift code an operation was called.
public struct SourceLocation: Sendable, CustomStringConvertible {
    /// `#fileID` of the call.
    public let file: StaticString
    /// `#line` of the call.
    public let line: UInt

    /// Captures a call site; pass `#fileID` and `#line`.
    public init(file: StaticString, line: UInt) {
        self.file = file
        self.line = line
    }

    /// `File.swift:12`.
    public var description: String { "\(file):\(line)" }
}
