import Autograd
import Config
import Models
import NN
import Testing

/// RoI extraction, box head and mask head against mmdetection's tiny models, each stage fed
/// with mmdetection's own inputs.
@Suite struct RoIHeadFixtureTests {
    func close(_ a: [Float], _ e: [Float], rtol: Float = 1e-4) -> Bool {
        let scale = max(e.map { Swift.abs($0) }.max() ?? 1, 1e-6)
        return a.count == e.count && zip(a, e).allSatisfy { Swift.abs($0 - $1) <= rtol * max(Swift.abs($1), 0.1 * scale) }
    }

    @Test(arguments: TinyCase.names)
    func roiStagesMatchMmdetection(name: String) throws {
        let tiny = try TinyCase(name)
        let model = try tiny.modelConfig()
        let roi = try model.view("roi_head")
        let extractor = try ModelRegistry.roiExtractors.build(try roi.view("bbox_roi_extractor"))
        let bboxHead = try ModelRegistry.bboxHeads.build(try roi.view("bbox_head"))
        try #require(try bboxHead.loadStateDict(from: tiny.tensors, prefix: "state_dict.roi_head.bbox_head.").isClean)
        bboxHead.eval()
        let rois = try tiny.tensors.tensor("rcnn.rois")
        #expect(extractor.levels(rois) == (try tiny.tensors.indices("rcnn.rois.level")).values, "\(name) RoI levels")
        // The box head on mmdetection's pooled features of the first 8 RoIs.
        let feats = try tiny.tensors.tensor("rcnn.roi_feats.first8")
        let (cls, reg) = withNoGrad { bboxHead(feats) }
        let eCls = try tiny.tensors.tensor("rcnn.cls_score"), eReg = try tiny.tensors.tensor("rcnn.bbox_pred")
        #expect(close(cls.scalars, Array(eCls.scalars.prefix(cls.count))), "\(name) cls_score")
        #expect(close(reg.scalars, Array(eReg.scalars.prefix(reg.count))), "\(name) bbox_pred")
        // RoIAlign from our FPN features over mmdetection's RoIs (features carry float noise).
        let backbone = try ModelRegistry.backbones.build(try model.view("backbone"))
        let neck = try ModelRegistry.necks.build(try model.view("neck"))
        try backbone.loadStateDict(from: tiny.tensors, prefix: "state_dict.backbone.")
        try neck.loadStateDict(from: tiny.tensors, prefix: "state_dict.neck.")
        backbone.eval(); neck.eval()
        let pooled = withNoGrad { extractor(neck(backbone(try! tiny.input())), rois: rois) }
        #expect(pooled.shape == [rois.dim(0), extractor.outChannels, 7, 7])
        #expect(close(Array(pooled.scalars.prefix(feats.count)), feats.scalars, rtol: 1e-3), "\(name) RoI features")
        // The mask head on mmdetection's pooled mask features.
        guard roi.contains("mask_head") else { return }
        let maskHead = try ModelRegistry.maskHeads.build(try roi.view("mask_head"))
        try #require(try maskHead.loadStateDict(from: tiny.tensors, prefix: "state_dict.roi_head.mask_head.").isClean)
        maskHead.eval()
        let maskFeats = try tiny.tensors.tensor("mask.roi_feats.first4")
        let logits = withNoGrad { maskHead(maskFeats) }
        let eMask = try tiny.tensors.tensor("mask.mask_pred.first16")
        #expect(close(logits.scalars, Array(eMask.scalars.prefix(logits.count))), "\(name) mask logits")
    }
}
