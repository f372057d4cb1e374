import Config
import Foundation
import Models
import Testing
import TestSupport

/// Impossible sizes in a model config (#18's list: negative or zero channels, classes, convs,
/// groups that do not divide the channels, stages out of range) are errors naming the key path
/// and the value where the config is read, never a trap in a layer's allocation.
@Suite struct ImpossibleValueTests {
    @Test(arguments: [
        ("model.roi_head.bbox_head.num_classes=-3", "model.roi_head.bbox_head.num_classes"),
        ("model.roi_head.bbox_head.num_classes=0", "model.roi_head.bbox_head.num_classes"),
        ("model.neck.out_channels=-64", "model.neck.out_channels"),
        ("model.neck.out_channels=0", "model.neck.out_channels"),
        ("model.backbone.base_channels=-32", "model.backbone.base_channels"),
        ("model.backbone.stem_channels=-1", "model.backbone.stem_channels"),
        ("model.roi_head.bbox_head.fc_out_channels=-1", "model.roi_head.bbox_head.fc_out_channels"),
        ("model.rpn_head.feat_channels=-5", "model.rpn_head.feat_channels"),
        ("model.roi_head.mask_head.num_convs=-1", "model.roi_head.mask_head.num_convs"),
        ("model.roi_head.mask_head.num_classes=-2", "model.roi_head.mask_head.num_classes"),
        ("model.backbone.norm_cfg.num_groups=7", "model.backbone.norm_cfg"),
        ("model.backbone.norm_cfg.num_groups=0", "model.backbone.norm_cfg.num_groups"),
        ("model.neck.norm_cfg.num_groups=5", "model.neck.norm_cfg"),
        ("model.roi_head.mask_head.norm_cfg.num_groups=6", "model.roi_head.mask_head.norm_cfg"),
        ("model.backbone.frozen_stages=9", "model.backbone.frozen_stages"),
        ("model.neck.in_channels=[16,-64,128,256]", "model.neck.in_channels"),
        // The parts do not fit each other (a shape error at the first forward otherwise).
        ("model.neck.in_channels=[16,64,128,256]", "model.neck.in_channels"),
        ("model.rpn_head.in_channels=32", "model.rpn_head.in_channels"),
        ("model.neck.num_outs=3", "model.neck.num_outs"),
        ("model.neck.num_outs=4", "model.rpn_head.anchor_generator.strides"),
        ("model.roi_head.bbox_head.roi_feat_size=5", "model.roi_head.bbox_head.roi_feat_size"),
        ("model.roi_head.bbox_roi_extractor.roi_layer.output_size=5", "model.roi_head.bbox_roi_extractor.roi_layer.output_size"),
        ("model.roi_head.bbox_roi_extractor.roi_layer.sampling_ratio=-1", "model.roi_head.bbox_roi_extractor.roi_layer.sampling_ratio"),
        ("model.roi_head.bbox_roi_extractor.featmap_strides=[4,8,0,32]", "model.roi_head.bbox_roi_extractor.featmap_strides"),
        // A layer too large for memory is an error naming its component, not a failed allocation.
        ("model.roi_head.bbox_head.fc_out_channels=1000000000", "model.roi_head.bbox_head (Shared4Conv1FCBBoxHead): Linear weight"),
        ("model.neck.out_channels=1000000000", "model.neck (FPN): Conv2d weight"),
        ("model.roi_head.mask_head.num_convs=1000000000", "model.roi_head.mask_head.num_convs"),
        ("model.roi_head.bbox_head.in_channels=8", "model.roi_head.bbox_head.in_channels"),
        ("model.roi_head.mask_head.in_channels=8", "model.roi_head.mask_head.in_channels"),
        ("model.roi_head.bbox_roi_extractor.featmap_strides=[4,8,16,32,64,128]", "model.roi_head.bbox_roi_extractor"),
        ("model.rpn_head.anchor_generator.ratios=[]", "model.rpn_head.anchor_generator.ratios"),
        ("model.rpn_head.anchor_generator.scales=[-8]", "model.rpn_head.anchor_generator.scales"),
        ("model.rpn_head.anchor_generator.strides=[4,8,0,32,64]", "model.rpn_head.anchor_generator.strides"),
        // Sizes past 2^31 - 1, whose arithmetic (classes + 1, channels << stage, a dilation
        // times a kernel) trapped on 64-bit overflow before.
        ("model.roi_head.bbox_head.num_classes=9223372036854775807", "model.roi_head.bbox_head.num_classes"),
        ("model.backbone.base_channels=1152921504606846976", "model.backbone.base_channels"),
        ("model.backbone.dilations=[1,1,1,9223372036854775807]", "model.backbone.dilations"),
        ("model.backbone.strides=[1,2,2,9223372036854775807]", "model.backbone.strides"),
        ("model.rpn_head.anchor_generator.strides=[9223372036854775807,8,16,32,64]", "model.rpn_head.anchor_generator.strides"),
    ])
    func impossibleSizesAreLocatedErrors(_ option: String, _ key: String) throws {
        let path = try TestFiles.project("configs/demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py")
        do {
            _ = try ModelRegistry.detectors.build(try ConfigLoader().load(file: path, options: [option]).view("model"))
            Issue.record("\(option) built a detector")
        } catch {
            let value = String(option.split(separator: "=")[1])
            #expect("\(error)".contains(key) && "\(error)".contains(value.replacingOccurrences(of: ",", with: ", ")), "\(option): \(error)")
        }
    }

    /// Widths that overflow only in combination (ResNeXt's groups times base_width, NF-ResNet's
    /// scaled widths, whose Double would not convert to an Int) name the key that made them.
    @Test(arguments: [
        ("configs/gn+ws/faster-rcnn_x50-32x4d_fpn_gn-ws-all_1x_coco.py", "model.backbone.groups=2147483647",
         "model.backbone.groups", "wider than 2147483647 channels"),
        ("configs/gn+ws/faster-rcnn_x50-32x4d_fpn_gn-ws-all_1x_coco.py", "model.backbone.base_width=2147483647",
         "model.backbone.base_width", "wider than 2147483647 channels"),
        ("configs/nf/faster-rcnn_nf-r50_fpn_1x_coco.py", "model.backbone.width_factor=1e300",
         "model.backbone.width_factor", "at most 2147483647"),
        ("configs/nf/faster-rcnn_nf-r50_fpn_1x_coco.py", "model.backbone.bottle_ratio=1e300",
         "model.backbone.bottle_ratio", "at most 2147483647"),
        ("configs/nf/faster-rcnn_nf-r50_fpn_1x_coco.py", "model.backbone.stem_chs=9223372036854775807",
         "model.backbone.stem_chs", "at most 2147483647"),
    ])
    func combinedWidthsPastTheLimit(_ config: String, _ option: String, _ key: String, _ phrase: String) throws {
        let path = try TestFiles.project(config)
        do {
            _ = try ModelRegistry.detectors.build(try ConfigLoader().load(file: path, options: [option]).view("model"))
            Issue.record("\(option) built a detector")
        } catch {
            #expect("\(error)".contains(key) && "\(error)".contains(phrase), "\(option): \(error)")
        }
    }

    /// Anchors per location are bounded: scales_per_octave (it was only >= 1, and 2^63 - 1 asked
    /// for 8.7 GB before anything checked it) and scales times ratios.
    @Test func scalesPerOctaveBounded() throws {
        func generator(_ n: Int) throws -> AnchorGenerator {
            try AnchorGenerator(config: ConfigView(dict: ["type": "AnchorGenerator", "octave_base_scale": 4, "scales_per_octave": .int(n),
                                                          "ratios": [0.5, 1.0, 2.0], "strides": [8, 16]], source: "anchors.py"))
        }
        #expect(try generator(3).numBaseAnchors == 9)
        #expect {
            _ = try generator(Int.max)
        } throws: { "\($0)".contains("scales_per_octave") && "\($0)".contains("1 to 1024") }
        let many = ConfigView(dict: ["type": "AnchorGenerator", "scales": .list(Array(repeating: 8, count: 400)),
                                     "ratios": [0.5, 1.0, 2.0], "strides": [8]], source: "anchors.py")
        #expect {
            _ = try AnchorGenerator(config: many)
        } throws: { "\($0)".contains("scales") && "\($0)".contains("1200 anchors per location: at most 1024") }
    }
}
