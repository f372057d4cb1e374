import Foundation
import Structures
import Testing

/// Files under ../shared (relative to the package root). A missing file is a test failure
/// naming the path, never a silent skip.
enum Shared {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "fixture not found: \(path) (tests need ../shared beside the project)" }
    }

    /// The path of a file under ../shared, checked to exist.
    static func path(_ relative: String) throws -> String {
        let path = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(path: path) }
        return path
    }

    /// A JSON fixture as plain Swift values (json-c, strtod: correctly rounded doubles;
    /// Foundation's JSONSerialization on Linux can be off by an ulp).
    static func json(_ relative: String) throws -> Any {
        let text = try JSONText(contentsOf: try path(relative))
        let value: Any? = try JSONElementParser(text).withValue(try text.topLevelSpan()) { $0.plain }
        return value as Any
    }
}

/// A JSON text in memory, for bad-input tests.
func jsonText(_ source: String, name: String = "test.json") -> JSONText {
    JSONText(bytes: Array(source.utf8), path: name)
}

/// The thrown StructuresError's description, or a failure.
func errorText(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        try body()
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return ""
    } catch {
        return "\(error)"
    }
}
