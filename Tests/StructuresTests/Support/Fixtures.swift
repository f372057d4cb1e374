import Foundation
import Structures
import Testing
import TestSupport

/// Reference files under Tests/Fixtures. A missing file is a test failure naming the path,
/// never a silent skip.
enum Fixture {
    /// The path of a file under Tests/Fixtures, checked to exist.
    static func path(_ relative: String) throws -> String { try TestFiles.fixture(relative) }

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
