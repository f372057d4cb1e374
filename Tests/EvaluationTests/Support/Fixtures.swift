import Foundation
import Structures
import Testing
import TestSupport

/// Reference files under Tests/Fixtures. A missing file is a test failure naming the path,
/// never a silent skip.
enum Fixture {
    /// The path of a file under Tests/Fixtures, checked to exist.
    static func path(_ relative: String) throws -> String { try TestFiles.fixture(relative) }

    /// A JSON file as plain Swift values, read with json-c (correctly rounded doubles).
    static func json(_ relative: String) throws -> [String: Any] {
        let text = try JSONText(contentsOf: try path(relative))
        let value: Any? = try JSONElementParser(text).withValue(try text.topLevelSpan()) { $0.plain }
        return value as! [String: Any]
    }
}

/// `|actual - expected| <= tolerance * max(1, |expected|)`.
func expectNear(
    _ actual: Double, _ expected: Double, _ tolerance: Double = 1e-12, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let ok = abs(actual - expected) <= tolerance * max(1, abs(expected))
    #expect(ok, "\(what): \(actual) != expected \(expected)", sourceLocation: sourceLocation)
}

/// The thrown error's description, or a failure.
func errorText(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        try body()
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return ""
    } catch {
        return "\(error)"
    }
}
