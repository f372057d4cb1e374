import Autograd
import Foundation
import Testing
import TestSupport

/// What is wrong with a checkpoint path is said in words, with its real cause: a directory, a
/// device, a PyTorch file under the wrong name, a safetensors file cut short (#18).
@Suite struct CheckpointFileErrorTests {
    static func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    @Test func pathsThatAreNotCheckpointFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(Self.message { try TensorArchives.open(dir) }.contains("is a directory"))
        #expect(Self.message { try TensorArchives.open("/dev/zero") }.contains("not a regular file"))
        #expect(Self.message { try TensorArchives.open(dir + "/none.safetensors") }.contains("no such file"))
        let pth = try TestFiles.fixture("pth/tiny_demo_publish.pth")
        #expect(Self.message { try SafetensorsFile(path: pth) }.contains("PyTorch checkpoint, not a safetensors file"))
        // A safetensors file cut short.
        let full = try Data(contentsOf: URL(fileURLWithPath: try TestFiles.fixture("pth/tiny_demo.safetensors")))
        try full.prefix(full.count - 1000).write(to: URL(fileURLWithPath: dir + "/cut.safetensors"))
        let cut = Self.message { try SafetensorsFile(path: dir + "/cut.safetensors") }
        #expect(cut.contains("truncated") && !cut.contains("inconsistent"), "\(cut)")
        // Foundation's error text never shows.
        for text in [cut, Self.message { try TensorArchives.open(dir) }] { #expect(!text.contains("NSCocoaErrorDomain")) }
    }
}
