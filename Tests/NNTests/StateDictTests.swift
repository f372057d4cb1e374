import Autograd
import Foundation
import Kernels
import NN
import Testing

@Suite struct StateDictTests {
    func tempPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-nn-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
    }

    @Test func saveAndLoadRoundTripsEveryTensorIncludingIntegerBuffers() throws {
        var rng = SeededGenerator(seed: 3)
        let a = try TwoBlocks()
        for (_, p) in a.namedParameters() { Init.fillNormal(p, mean: 0, std: 1, using: &rng) }
        _ = a.first(Tensor.normal([2, 3, 4, 4], using: &rng))  // moves running stats, counter = 1
        let path = tempPath("roundtrip.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try a.saveStateDict(to: path)
        let file = try SafetensorsFile(path: path)
        #expect(file.entries["layer1.bn.num_batches_tracked"]?.dtype == .i64, "int64 as in mmdetection checkpoints")
        let b = try TwoBlocks()
        let report = try b.loadStateDict(path: path)
        #expect(report.isClean)
        for (ea, eb) in zip(a.stateDict(), b.stateDict()) {
            #expect(ea.key == eb.key && ea.tensor.scalars == eb.tensor.scalars, "\(ea.key) round trip")
        }
    }

    @Test func mismatchesAreReportedByNameAndStrictLoadingChangesNothing() throws {
        let path = tempPath("mismatch.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let items = [
            SafetensorsFile.Item(name: "scale", tensor: Tensor.full([2], 7)),
            SafetensorsFile.Item(name: "layer1.conv.weight", tensor: Tensor.zeros([4, 3, 1, 1])),  // wrong shape
            SafetensorsFile.Item(name: "layer9.extra", tensor: Tensor.zeros([1])),  // unexpected
        ]
        try SafetensorsFile.encode(items).write(to: URL(fileURLWithPath: path))
        let m = try TwoBlocks()
        #expect(throws: StateDictError.self) { try m.loadStateDict(path: path) }
        #expect(m.scale.scalars == [1, 1], "strict failure copies nothing")
        let report = try m.loadStateDict(path: path, strict: false)
        #expect(report.unexpected == ["layer9.extra"])
        #expect(report.shapeMismatches == ["layer1.conv.weight: checkpoint [4, 3, 1, 1], model [4, 3, 3, 3]"])
        // mmengine: a missing num_batches_tracked is not reported (old files lack it).
        #expect(m.stateDict().contains { $0.key.hasSuffix("num_batches_tracked") })
        #expect(report.missing.contains("layer2.gn.weight") && report.missing.count == 7)
        #expect(!report.missing.contains { $0.hasSuffix("num_batches_tracked") })
        #expect(m.scale.scalars == [7, 7], "non-strict loading copies what matches")
        do {
            try m.loadStateDict(path: path)
        } catch let e as StateDictError {
            #expect(e.description.contains("layer9.extra") && e.description.contains(path))
        }
    }

    @Test func failedSaveNamesThePathAndLeavesNothing() throws {
        let dir = tempPath("missing-dir")
        do {
            try TwoBlocks().saveStateDict(to: dir + "/ckpt.safetensors")
            Issue.record("saving into a missing folder succeeded")
        } catch let e as StateDictError {
            #expect(e.description.contains(dir + "/ckpt.safetensors"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func unreadableCheckpointNamesTheFile() throws {
        let m = try TwoBlocks()
        #expect(throws: SafetensorsFile.Error.self) { try m.loadStateDict(path: "/nonexistent/ckpt.safetensors") }
    }
}
