import Autograd
import Config
import Engine
import Foundation
import Kernels
import Models
import NN
import Testing
import TestSupport

/// `.pth` checkpoints written by PyTorch (Tests/Fixtures/pth) wherever SwiftDet reads weights:
/// `detect`'s inference, `load_from`, and a backbone's `init_cfg=Pretrained`.
@Suite struct PthCheckpointTests {
    static func fixture(_ name: String) throws -> String { try TestFiles.fixture("pth/" + name) }

    /// The tiny demo model saved by torch as a full mmengine checkpoint (zip), as
    /// publish_model.py writes it (legacy format), and with DataParallel's `module.` keys: the
    /// same detections as its safetensors copy, bit for bit.
    @Test func pthCheckpointsDetectAsTheirSafetensorsCopy() throws {
        let config = try RunnerTests.tinyConfig()
        let image = try TestFiles.project("data/fruits_nuts/images/3.jpg")
        let reference = try ImageInference(config: config, checkpoint: try Self.fixture("tiny_demo.safetensors"))
            .predict(imagePath: image).detections
        #expect(reference.count > 0)
        for name in ["tiny_demo_mmengine.pth", "tiny_demo_publish.pth", "tiny_demo_module.pth"] {
            let dets = try ImageInference(config: config, checkpoint: try Self.fixture(name)).predict(imagePath: image).detections
            #expect(dets.scores == reference.scores && dets.labels == reference.labels
                    && dets.boxes.scalars == reference.boxes.scalars && dets.masks == reference.masks, "\(name)")
        }
    }

    /// `load_from` (the runner's weight loading) takes a `.pth` file.
    @Test func runnerLoadsPthWeights() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = try RunnerTests.runner(try RunnerTests.tinyConfig(), workDir: dir)
        try runner.loadWeights(try Self.fixture("tiny_demo_publish.pth"))
        let expected = try SafetensorsFile(path: try Self.fixture("tiny_demo.safetensors"))
        for e in runner.model.stateDict() {
            #expect(e.tensor.scalars == (try expected.tensor(e.key)).scalars, "\(e.key)")
        }
    }

    /// `default_hooks.checkpoint.save_format='pth'`: the run's weights are `epoch_N.pth`
    /// (read by torch and mmdetection), and `--resume epoch_N.pth` continues bit-exactly.
    @Test func pthCheckpointsResumeBitExactly() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var straight: [IterationRecord] = []
        try RunnerTests.runner(try RunnerTests.tinyConfig(), workDir: dir + "/a").train { straight.append($0) }
        let pth = ["default_hooks.checkpoint.save_format=pth"]
        var first: [IterationRecord] = []
        try RunnerTests.runner(try RunnerTests.tinyConfig(pth + ["train_cfg.max_epochs=1"]), workDir: dir + "/b").train { first.append($0) }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/b")
        #expect(files.contains("epoch_1.pth") && !files.contains("epoch_1.safetensors"), "\(files)")
        let written = try PthFile(path: dir + "/b/epoch_1.pth")
        #expect(written.topKeys == ["meta", "state_dict"] && written.names.count > 100)
        var second: [IterationRecord] = []
        try RunnerTests.runner(try RunnerTests.tinyConfig(pth), workDir: dir + "/b", resume: .path(dir + "/b/epoch_1.pth"))
            .train { second.append($0) }
        #expect(first.count == 7 && second.count == 7)
        for (a, b) in zip(straight, first + second) {
            #expect(a.iteration == b.iteration && a.loss == b.loss, "iteration \(a.iteration): \(a.loss) straight, \(b.loss) resumed")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/b/epoch_2.pth"))
        // `test CONFIG epoch_2.json` finds the .pth weights through the sidecar.
        let tester = try RunnerTests.runner(try RunnerTests.tinyConfig(pth), workDir: dir + "/c")
        try tester.loadWeights(dir + "/b/epoch_2.json")
        let saved = try PthFile(path: dir + "/b/epoch_2.pth")
        for e in tester.model.stateDict() { #expect(e.tensor.scalars == (try saved.indicesAsTensor(e.key)).scalars, "\(e.key)") }
    }

    /// A torchvision ResNet-50 file (zip, with `fc.*` and num_batches_tracked) and an old
    /// legacy one without num_batches_tracked initialise a ResNet-50 backbone through
    /// `init_cfg=dict(type='Pretrained', checkpoint=...)`: every backbone tensor equals the file's.
    @Test(arguments: ["resnet50_tiny.pth", "resnet50_tiny_nonbt.pth"])
    func torchvisionResNetInitialisesTheBackbone(_ name: String) throws {
        let dict: ConfigDict = ["type": "ResNet", "depth": 50, "base_channels": 8,
                                "init_cfg": ["type": "Pretrained", "checkpoint": .string(try Self.fixture(name))]]
        let backbone = try ModelRegistry.backbones.build(ConfigView(dict: dict, source: "test"))
        var rng = SeededGenerator(seed: 1)
        try backbone.initWeights(using: &rng)
        let expected = try SafetensorsFile(path: try Self.fixture("resnet50_tiny.safetensors"))
        let entries = backbone.stateDict()
        #expect(entries.count == 320 - 2)  // torchvision's keys without fc.weight and fc.bias
        for e in entries where !(name.contains("nonbt") && e.key.hasSuffix("num_batches_tracked")) {
            #expect(e.tensor.scalars == (try expected.indicesAsTensor(e.key)).scalars, "\(name): \(e.key)")
        }
    }
}

/// `convert-checkpoint`'s conversions keep every tensor's dtype and bytes.
@Suite struct CheckpointConversionTests {
    @Test func pthToSafetensorsAndBackKeepsEveryDtypeAndByte() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = try TestFiles.fixture("pth/zip_p2_dtypes.pth")
        let original = try PthFile(path: source)
        #expect(Set(original.names.compactMap { original.dtype($0) }).count == 10, "all ten dtypes")
        let st = dir + "/x.safetensors", back = dir + "/x.pth"
        let s1 = try CheckpointConversion.convert(source, to: st)
        let s2 = try CheckpointConversion.convert(st, to: back)
        #expect(s1.tensors == original.names.count && s2.tensors == original.names.count)
        let safetensors = try SafetensorsFile(path: st), again = try PthFile(path: back)
        #expect(safetensors.metadata["source_format"] == "zip" && safetensors.metadata["source_sha256"]?.count == 64)
        for name in original.names {
            #expect(try safetensors.rawBytes(name) == original.rawBytes(name) && safetensors.entries[name]?.dtype.element == original.dtype(name), "\(name)")
            #expect(try again.rawBytes(name) == original.rawBytes(name) && again.dtype(name) == original.dtype(name), "\(name)")
        }
    }

    @Test func keyRulesSelectAndRename() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = CheckpointConversion.Options()
        options.prefix = "backbone"
        let (entries, skipped, _) = try CheckpointConversion.entries(try TestFiles.fixture("pth/keys_mmcls.pth"), options: options)
        #expect(!entries.isEmpty && entries.allSatisfy { !$0.key.hasPrefix("backbone.") && !$0.key.hasPrefix("head.") })
        #expect(skipped.isEmpty)
        options = CheckpointConversion.Options()
        options.stripModule = true
        let module = try CheckpointConversion.entries(try TestFiles.fixture("pth/tiny_demo_module.pth"), options: options).entries
        let plain = try SafetensorsFile(path: try TestFiles.fixture("pth/tiny_demo.safetensors"))
        #expect(Set(module.map(\.key)) == Set(plain.names))
        options.prefix = "nothing"
        #expect(throws: CheckpointConversion.Failure.self) { try CheckpointConversion.entries(try TestFiles.fixture("pth/keys_mmcls.pth"), options: options) }
        // A refused file stays refused, and nothing is written.
        #expect(throws: PthError.self) { try CheckpointConversion.convert(try TestFiles.fixture("pth/evil_system_zip.pth"), to: dir + "/evil.safetensors") }
        #expect(!FileManager.default.fileExists(atPath: dir + "/evil.safetensors"))
    }
}
