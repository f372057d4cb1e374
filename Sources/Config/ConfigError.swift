/// A place in a config file: 1-based line and column (the column counts characters).
/// Line 0 means "somewhere in this file" (a position the format does not give).
public struct ConfigLocation: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The whole file, without a position.
    public static func file(_ file: String) -> ConfigLocation {
        ConfigLocation(file: file, line: 0, column: 0)
    }

    public var description: String { line > 0 ? "\(file):\(line):\(column)" : file }
}

/// Every failure of the Config module: loading, parsing, evaluating, merging, options,
/// typed access and registry builds. It says where (file:line:column when known) and what
/// was expected; nothing in this module traps on bad input.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, broadly; the message says exactly.
    public enum Kind: String, Sendable {
        /// Not valid text of the config language (unterminated string, bracket, indentation).
        case syntax
        /// Valid Python that the config language rejects (import, def, lambda, ...).
        case unsupported
        /// An unknown or reserved name.
        case name
        /// A `_base_` file is missing, circular or of an unsupported type.
        case base
        /// Inheritance or option merging failed, or a `_base_` write missed its target.
        case merge
        /// A `{{_base_.x}}` placeholder is misplaced or names nothing.
        case placeholder
        /// A `{{$NAME:default}}` variable is unset without a default.
        case environment
        /// Nesting too deep, or a value too large.
        case limit
        /// Evaluation failed (type mismatch in an operator, bad index, division by zero).
        case evaluation
        /// Malformed YAML or JSON, or a construct of those formats we do not support.
        case yaml, json
        /// The file could not be read.
        case io
        /// A malformed `--cfg-options` word.
        case option
        /// A typed accessor found a missing key or a value of the wrong type.
        case value
        /// A registry build failed: unknown type, unknown key.
        case registry
        /// A value that the requested dump format cannot express.
        case dump
    }

    public let kind: Kind
    public let message: String
    public let location: ConfigLocation?

    public init(_ kind: Kind, _ message: String, at location: ConfigLocation? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    public var description: String {
        guard let location else { return "error: \(message)" }
        return "\(location): error: \(message)"
    }
}
