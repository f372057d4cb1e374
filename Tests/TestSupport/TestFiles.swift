import Foundation

/// The files the tests read: reference fixtures under Tests/Fixtures (copied from the
/// project's reference material with their provenance notes) and the project's own files
/// (configs/, data/fruits_nuts). A clone of the project alone has them all. Tests fail, with
/// the path in the message, when a file is missing: they never skip.
public enum TestFiles {
    /// The package root (two levels above this file's folder).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Tests/Fixtures.
    public static let fixtures: URL = packageRoot.appendingPathComponent("Tests/Fixtures")

    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public init(path: String) { self.path = path }
        public var description: String { "test file not found: \(path)" }
    }

    /// The absolute path of `relative` under Tests/Fixtures (e.g. "ops/conv2d.safetensors"),
    /// which must exist.
    public static func fixture(_ relative: String) throws -> String {
        try existing(fixtures.appendingPathComponent(relative).path)
    }

    /// The absolute path of `relative` under the package root (e.g. "data/fruits_nuts"),
    /// which must exist.
    public static func project(_ relative: String) throws -> String {
        try existing(packageRoot.appendingPathComponent(relative).path)
    }

    /// A product built beside the test binary (`swift build -c release --build-tests` builds
    /// them all), e.g. "train" or "bench".
    public static func builtExecutable(_ name: String) throws -> String {
        let dir = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        for candidate in [dir + "/" + name, (dir as NSString).deletingLastPathComponent + "/" + name]
        where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw Missing(path: "\(dir)/\(name) (build the products: swift build -c release --build-tests)")
    }

    private static func existing(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(path: path) }
        return path
    }
}
