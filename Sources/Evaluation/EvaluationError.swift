import Structures

/// Why an evaluation could not run: a bad results or ground-truth file (naming the file and
/// the entry), parameters pycocotools would reject, or a failed write.
public struct EvaluationError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure it is.
    public enum Kind: Sendable {
        /// A file could not be read or written.
        case io
        /// A results or annotation file that is not what COCO evaluation expects.
        case input
        /// Parameters that cannot be evaluated (e.g. summarize with fewer than 3 maxDets).
        case parameters
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A Structures error (reading JSON, decoding a mask) as an input error.
    init(_ error: StructuresError) {
        self.init(error.kind == .io ? .io : .input, error.description)
    }

    public var description: String { message }
}

/// Runs `body`, turning Structures errors into evaluation errors.
func rethrowingInput<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as StructuresError {
        throw EvaluationError(error)
    }
}
