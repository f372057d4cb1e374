import Config
import Foundation
import Testing
import TestSupport

/// Config fixtures from Tests/Fixtures/config. A missing
/// fixture is a test failure with the path in the message, never a silent skip.
enum Fixtures {
    static let packageRoot: URL = TestFiles.packageRoot
    static let root: URL = TestFiles.fixtures.appendingPathComponent("config")

    /// The absolute path of a config fixture file, which must exist.
    static func path(_ relative: String) throws -> String {
        try TestFiles.fixture("config/\(relative)")
    }

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// A JSON fixture read with key order, ints and floats kept.
    static func json(_ relative: String) throws -> ConfigDict {
        try ConfigDict(jsonText: text(relative), name: relative)
    }

    /// A loader with none of the fixtures' environment variables set.
    static let cleanLoader = ConfigLoader(environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SWIFTDET_FIXTURE_") })
}

/// A fixture file whose content is not what the tests expect.
struct MalformedFixture: Error, CustomStringConvertible {
    let what: String
    var description: String { what }
}

/// The `tuples` / `floats` path lists of an `expected_types.json`.
struct ExpectedTypes {
    var tuples: [[ConfigPath.Segment]]
    var floats: [[ConfigPath.Segment]]

    init(_ dict: ConfigDict) throws {
        tuples = try Self.paths(dict["tuples"])
        floats = try Self.paths(dict["floats"])
    }

    private static func paths(_ value: ConfigValue?) throws -> [[ConfigPath.Segment]] {
        guard let items = value?.elements else { throw MalformedFixture(what: "expected_types.json: 'tuples'/'floats' is not a list") }
        return items.map { path in
            (path.elements ?? []).map { part in
                if case .int(let i) = part { return .index(i) }
                return .key(part.stringValue ?? "?")
            }
        }
    }

    /// The expected value with the listed lists turned into tuples (deepest first).
    func apply(to value: ConfigValue) -> ConfigValue {
        var result = value
        for path in tuples.sorted(by: { $0.count > $1.count }) {
            result = ValuePaths.update(result, at: path[...]) { v in
                if case .list(let items) = v { return .tuple(items) }
                return v
            }
        }
        return result
    }
}

/// Path helpers over config values, for comparisons.
enum ValuePaths {
    static func update(_ value: ConfigValue, at path: ArraySlice<ConfigPath.Segment>, _ f: (ConfigValue) -> ConfigValue) -> ConfigValue {
        guard let first = path.first else { return f(value) }
        switch (value, first) {
        case (.dict(var d), .key(let k)):
            if let child = d[k] { d[k] = update(child, at: path.dropFirst(), f) }
            return .dict(d)
        case (.list(var items), .index(let i)) where i < items.count:
            items[i] = update(items[i], at: path.dropFirst(), f)
            return .list(items)
        case (.tuple(var items), .index(let i)) where i < items.count:
            items[i] = update(items[i], at: path.dropFirst(), f)
            return .tuple(items)
        default:
            return value
        }
    }

    /// Every path whose value satisfies `match`, in document order.
    static func paths(in value: ConfigValue, where match: (ConfigValue) -> Bool, prefix: [ConfigPath.Segment] = []) -> [[ConfigPath.Segment]] {
        var found: [[ConfigPath.Segment]] = match(value) ? [prefix] : []
        switch value {
        case .list(let items), .tuple(let items):
            for (i, item) in items.enumerated() { found += paths(in: item, where: match, prefix: prefix + [.index(i)]) }
        case .dict(let d):
            for (k, item) in d { found += paths(in: item, where: match, prefix: prefix + [.key(k)]) }
        default: break
        }
        return found
    }

    /// The first place where two values differ (strictly: types, key order), or nil.
    static func firstDifference(_ a: ConfigValue, _ b: ConfigValue, at path: [ConfigPath.Segment] = []) -> String? {
        let here = ConfigPath.render(path)
        switch (a, b) {
        case (.dict(let x), .dict(let y)):
            if x.keys != y.keys { return "\(here): keys \(x.keys) != expected \(y.keys)" }
            for (k, v) in x {
                if let d = firstDifference(v, y[k]!, at: path + [.key(k)]) { return d }
            }
            return nil
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            if x.count != y.count { return "\(here): \(x.count) elements != expected \(y.count)" }
            for i in x.indices {
                if let d = firstDifference(x[i], y[i], at: path + [.index(i)]) { return d }
            }
            return nil
        default:
            return a == b ? nil : "\(here): \(a.typeName) \(a) != expected \(b.typeName) \(b)"
        }
    }
}

/// Expects `actual` to equal `expected` strictly, reporting the first difference.
func expectSame(_ actual: ConfigValue, _ expected: ConfigValue, _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    if let difference = ValuePaths.firstDifference(actual, expected) {
        Issue.record("\(what): \(difference)", sourceLocation: sourceLocation)
    }
}

/// Runs `body` on a thread with a small stack (512 KiB, as macOS gives secondary threads),
/// so that a test notices recursion that would overflow there.
func onSmallStack<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.value = body()
        done.signal()
    }
    thread.stackSize = 512 * 1024
    thread.start()
    done.wait()
    return box.value!
}

/// Carries a result from the small-stack thread back (written once, read after the signal).
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
