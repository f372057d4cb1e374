import Foundation

/// Files under ../shared (reference fixtures and datasets), located from the package root.
/// Tests fail, with the path in the message, when a file is missing: they never skip.
public enum SharedFiles {
    /// The package root (two levels above this file's folder).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// ../shared beside the package.
    public static let root: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public init(path: String) { self.path = path }
        public var description: String {
            "shared file not found: \(path) (tests need ../shared beside the project)"
        }
    }

    /// The absolute path of `relative` (e.g. "fixtures/ops/conv2d.safetensors"), which must exist.
    public static func path(_ relative: String) throws -> String {
        let path = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(path: path) }
        return path
    }
}
