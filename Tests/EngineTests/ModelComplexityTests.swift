import Autograd
import Config
import Datasets
import Engine
import Foundation
import Models
import NN
import Testing
import TestSupport

/// get-flops: FLOPs counted as mmengine's get_model_complexity_info counts them.
@Suite struct ModelComplexityTests {
    /// Faster R-CNN R50-FPN on a 224x224 input: backbone, neck and RPN head equal mmengine
    /// 0.10.7's FlopAnalyzer on mmdetection 3.3's modules (measured once with torch.randn
    /// input: backbone 4,109,364,224 = convs 4,087,136,256 + eval BN 22,227,968; neck
    /// 2,843,022,336 with 1,053,696 of nearest upsampling; rpn_head 2,482,109,184). The
    /// backbone is ResNet-50's well-known 4.1 GMac.
    @Test func resNet50FPNAndRPNAsMmengine() throws {
        let path = TestFiles.packageRoot.appendingPathComponent("configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py").path
        let config = try ConfigFile.load(path, options: ["model.backbone.init_cfg=None"])
        let model = try ModelRegistry.detectors.build(try config.view("model"))
        try model.initWeights(seed: 0)
        let report = try ModelComplexity.measure(model: model, batches: [try ModelComplexity.randomBatch(config: config, height: 224, width: 224)], depth: 1)
        let flops = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.name, $0.flops) })
        #expect(flops["backbone"] == 4_109_364_224)
        #expect(flops["neck"] == 2_843_022_336)
        #expect(flops["rpn_head"] == 2_482_109_184)
        #expect(abs(Double(flops["backbone"]!) / 4.1e9 - 1) < 0.01)
        #expect(report.rows.map(\.name) == ["", "backbone", "neck", "rpn_head", "roi_head"])
        #expect(report.flops == report.rows.dropFirst().map(\.flops).reduce(0, +))
        let params = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.name, $0.parameters) })
        #expect(params["backbone"] == 23_508_032 && report.parameters == model.namedParameters().reduce(0) { $0 + $1.1.count })
        #expect(report.inputShape == (224, 224) && report.paddedShape == (224, 224))
        for (h, w) in [(3_037_000_500, 3_037_000_500), (Int.max, 2), (0, 224), (1 << 17, 8)] {
            #expect(throws: ConfigError.self) { try ModelComplexity.randomBatch(config: config, height: h, width: w) }
        }
    }

    /// Each counted layer, worked out by hand from fvcore's rules.
    @Test func layerRulesByHand() throws {
        let x = Tensor(shape: [2, 4, 6, 6], [Float](repeating: 0.5, count: 2 * 4 * 36))
        let conv = try Conv2d(4, 6, kernelSize: 3, stride: 2, padding: 1, groups: 2)
        let deconv = try ConvTranspose2d(4, 3, kernelSize: 2, stride: 2)
        let linear = try Linear(144, 5)
        let gn = GroupNorm(groups: 2, channels: 4)
        let bn = BatchNorm2d(4)
        bn.eval()
        let (_, counter) = ComplexityCounter.measure {
            _ = conv(x)             // out (2, 6, 3, 3): 2 x (6 x 2 x 3 x 3) x 9 = 1944
            _ = deconv(x)           // over the input: 2 x (4 x 3 x 2 x 2) x 36 = 3456
            _ = linear(x.reshape([2, 144]))  // 288 inputs x 5 = 1440
            _ = gn(x)               // 5 per element: 1440
            _ = bn(x)               // eval, affine: 2 per element: 576
        }
        #expect(counter.ownWork(of: conv) == [.conv: 1944])
        #expect(counter.ownWork(of: deconv) == [.convTranspose: 3456])
        #expect(counter.ownWork(of: linear) == [.linear: 1440])
        #expect(counter.ownWork(of: gn) == [.groupNorm: 1440])
        #expect(counter.ownWork(of: bn) == [.batchNorm: 576])
        bn.train()
        let (_, training) = ComplexityCounter.measure { _ = bn(x) }
        #expect(training.ownWork(of: bn) == [.batchNorm: 1440])  // 5 per element in training
        // Nothing is recorded outside a measurement.
        _ = conv(x)
        #expect(counter.ownWork(of: conv) == [.conv: 1944])
    }

    @Test func sizesFormatAsMmengine() {
        #expect(ModelComplexity.format(4_111_512_576) == "4.112G")
        #expect(ModelComplexity.format(25_557_032) == "25.557M")
        #expect(ModelComplexity.format(200_000_000) == "0.2G")
        #expect(ModelComplexity.format(9_408) == "9.408K")
        #expect(ModelComplexity.format(100) == "100" && ModelComplexity.format(0) == "0")
    }

    /// The demo's validation images (mmdetection's default input): averaged over the images,
    /// the model's total is its children's, and the mask head counts on the detections.
    @Test func demoModelOnItsValidationImages() throws {
        let path = TestFiles.packageRoot.appendingPathComponent("configs/demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py").path
        let config = try ConfigFile.load(path)
        let model = try ModelRegistry.detectors.build(try config.view("model"))
        try model.initWeights(seed: 0)
        let batches = try ModelComplexity.datasetBatches(config: config, count: 2)
        #expect(batches.count == 2)
        let report = try ModelComplexity.measure(model: model, batches: batches, depth: 2)
        let rows = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.name, $0) })
        #expect(report.flops > 0 && rows["backbone"]!.flops > 0 && rows["roi_head.bbox_head"]!.flops > 0)
        let top = report.rows.filter { $0.depth == 1 }.map(\.flops).reduce(0, +)
        #expect(abs(top - report.flops) <= 4, "\(top) vs \(report.flops)")  // integer averages
        #expect(report.table().contains("  roi_head.mask_head"))
    }
}
