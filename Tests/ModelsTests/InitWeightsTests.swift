import Config
import Foundation
import Kernels
import Models
import NN
import Testing
import TestSupport

/// mmdetection's `init_weights()` on a model built from a config: the statistics every
/// component's init_cfg prescribes, zero_init_residual, and the Pretrained backbone path.
@Suite struct InitWeightsTests {
    static func build(_ name: String, options: [String] = ["model.backbone.init_cfg=None"]) throws -> TwoStageDetector {
        let view = try ConfigLoader().load(file: try KeysFixtureTests.configPath(name), options: options)
        return try #require(try ModelRegistry.detectors.build(try view.view("model")) as? TwoStageDetector)
    }

    static func stats(_ v: [Float]) -> (mean: Double, std: Double) {
        let mean = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
        let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(v.count)
        return (mean, variance.squareRoot())
    }

    static func param(_ model: TwoStageDetector, _ key: String) throws -> [Float] {
        try #require(model.namedParameters().first { $0.0 == key }?.1).scalars
    }

    @Test func everyComponentGetsMmdetectionsInit() throws {
        let model = try Self.build("mask-rcnn_r50_fpn_gn-ws-all_2x_coco")
        try model.initWeights(seed: 3)
        func expectStd(_ key: String, _ expected: Double, uniform: Bool = false) throws {
            let s = Self.stats(try Self.param(model, key))
            #expect(abs(s.mean) < 0.05 * expected, "\(key) mean \(s.mean)")
            #expect(abs(s.std / expected - 1) < 0.05, "\(key) std \(s.std), expected \(expected)")
        }
        // Kaiming normal, fan_out, relu: std = sqrt(2 / (out * k * k)).
        try expectStd("backbone.conv1.weight", (2.0 / (64 * 49)).squareRoot())
        try expectStd("backbone.layer3.2.conv2.weight", (2.0 / (256 * 9)).squareRoot())
        try expectStd("backbone.layer1.0.downsample.0.weight", (2.0 / 256).squareRoot())
        // GN γ=1 β=0, and zero_init_residual: the last norm of every block γ=0.
        #expect(try Self.param(model, "backbone.layer2.1.gn1.weight").allSatisfy { $0 == 1 })
        #expect(try Self.param(model, "backbone.layer2.1.gn3.weight").allSatisfy { $0 == 0 })
        #expect(try Self.param(model, "backbone.layer2.1.gn3.bias").allSatisfy { $0 == 0 })
        // FPN Xavier uniform: std = sqrt(2 / (fan_in + fan_out)).
        try expectStd("neck.fpn_convs.0.conv.weight", (2.0 / (256 * 9 * 2)).squareRoot())
        try expectStd("neck.lateral_convs.3.conv.weight", (2.0 / (2048 + 256)).squareRoot())
        let lateral = try Self.param(model, "neck.lateral_convs.3.conv.weight")
        let bound = Float(3 * 2.0 / (2048 + 256)).squareRoot()
        #expect(lateral.allSatisfy { abs($0) <= bound } && lateral.contains { abs($0) > 0.9 * bound })
        // RPN Normal(0.01); box head fc_cls Normal(0.01), fc_reg Normal(0.001); mask logits Kaiming.
        try expectStd("rpn_head.rpn_conv.weight", 0.01)
        try expectStd("roi_head.bbox_head.fc_cls.weight", 0.01)
        try expectStd("roi_head.bbox_head.fc_reg.weight", 0.001)
        try expectStd("roi_head.bbox_head.shared_fcs.0.weight", (2.0 / (256 * 49 + 1024)).squareRoot())
        try expectStd("roi_head.mask_head.conv_logits.weight", (2.0 / 80).squareRoot())
        #expect(try Self.param(model, "rpn_head.rpn_cls.bias").allSatisfy { $0 == 0 })
        // The same seed gives the same weights; another seed does not.
        let again = try Self.build("mask-rcnn_r50_fpn_gn-ws-all_2x_coco")
        try again.initWeights(seed: 3)
        #expect(try Self.param(again, "backbone.layer4.0.conv2.weight") == Self.param(model, "backbone.layer4.0.conv2.weight"))
        try again.initWeights(seed: 4)
        #expect(try Self.param(again, "backbone.layer4.0.conv2.weight") != Self.param(model, "backbone.layer4.0.conv2.weight"))
    }

    @Test func pretrainedBackboneLoadsALocalFileAndRejectsURLs() throws {
        let source = try Self.build("faster-rcnn_r50_fpn_1x_coco")
        try source.initWeights(seed: 11)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("init-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("whole.safetensors").path
        try source.saveStateDict(to: path)

        let model = try Self.build("faster-rcnn_r50_fpn_1x_coco", options: ["model.backbone.init_cfg.checkpoint=\(path)"])
        try model.initWeights(seed: 99)
        #expect(try Self.param(model, "backbone.layer4.2.conv3.weight") == Self.param(source, "backbone.layer4.2.conv3.weight"))
        #expect(try Self.param(model, "backbone.bn1.bias") == Self.param(source, "backbone.bn1.bias"))
        // Only the backbone comes from the file: the heads keep this model's own seeded init.
        #expect(try Self.param(model, "rpn_head.rpn_conv.weight") != Self.param(source, "rpn_head.rpn_conv.weight"))

        // mmdetection's own configs name torchvision:// URLs: a clear error with the way out.
        let url = try Self.build("faster-rcnn_r50_fpn_1x_coco", options: [])
        let error = #expect(throws: PretrainedError.self) { try url.initWeights(seed: 1) }
        #expect(error?.description.contains("torchvision://resnet50") == true)
        #expect(error?.description.contains("model.backbone.init_cfg=None") == true)
    }
}
