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
