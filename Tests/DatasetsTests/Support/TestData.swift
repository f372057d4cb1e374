import Foundation
import Testing
import TestSupport

/// The real datasets (Tests/Fixtures/coco_sample, the project's data/fruits_nuts) and reference
/// fixtures (Tests/Fixtures). A missing file is a test failure naming the path, never a silent skip.
enum TestData {
    /// The package root (for configs/).
    static let packageRoot: URL = TestFiles.packageRoot

    /// The path of `relative` under Tests/Fixtures, which must exist.
    static func fixture(_ relative: String) throws -> String { try TestFiles.fixture(relative) }

    /// The path of `relative` under the package root, which must exist.
    static func project(_ relative: String) throws -> String { try TestFiles.project(relative) }

    static var cocoSample: String { get throws { try fixture("coco_sample") } }
    static var fruitsNuts: String { get throws { try project("data/fruits_nuts") } }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
