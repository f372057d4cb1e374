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
}
