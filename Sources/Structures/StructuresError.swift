/// What went wrong reading or building a mask or a COCO file. Messages name the file and the
/// entry (`annotations[12] (id 345)`) where there is one.
public struct StructuresError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure it is.
    public enum Kind: Sendable {
        /// The file could not be opened or read.
        case io
        /// Not JSON, or JSON with a syntax error.
        case syntax
        /// Valid JSON that is not a COCO file (a key missing, a wrong type, a duplicate id).
        case format
        /// A mask that cannot be decoded (bad compressed string, counts past the image).
        case mask
    }

    public let kind: Kind
    public let message: String
    /// The file, when the error comes from one.
    public let file: String?

    public init(_ kind: Kind, _ message: String, file: String? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
    }

    /// The same error with a file (and optionally an entry) prefixed, for errors raised below
    /// the level that knows them.
    public func located(file: String, entry: String? = nil) -> StructuresError {
        let text = entry.map { "\($0): \(message)" } ?? message
        return StructuresError(kind, text, file: file)
    }

    public var description: String {
        file.map { "\($0): \(message)" } ?? message
    }
}
