import Foundation
import Testing
import TestSupport

/// The real datasets and reference fixtures in ../shared (relative to the package root). A
/// missing file is a test failure naming the path, never a silent skip.
enum SharedData {
    static let shared: URL = SharedFiles.root
    /// The package root (for configs/).
    static let packageRoot: URL = SharedFiles.packageRoot

    /// The path of `relative` under ../shared, which must exist.
    static func path(_ relative: String) throws -> String { try SharedFiles.path(relative) }

    static var cocoSample: String { get throws { try path("data/coco_sample") } }
    static var fruitsNuts: String { get throws { try path("data/fruits_nuts") } }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
