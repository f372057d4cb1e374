import Autograd
import Config
import Models
import NN
import Testing
import Foundation
import Structures
import Kernels

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
        let d = try tiny.detector()
        let roiHead = try #require(d.roiHead as? StandardRoIHead)
        let extractor = roiHead.bboxRoIExtractor
        let bboxHead = roiHead.bboxHead
        let rois = try tiny.tensors.tensor("rcnn.rois")
        #expect(extractor.levels(rois) == (try tiny.tensors.indices("rcnn.rois.level")).values, "\(name) RoI levels")
        // The box head on mmdetection's pooled features of the first 8 RoIs.
        let feats = try tiny.tensors.tensor("rcnn.roi_feats.first8")
        let (cls, reg) = withNoGrad { bboxHead(feats) }
        let eCls = try tiny.tensors.tensor("rcnn.cls_score"), eReg = try tiny.tensors.tensor("rcnn.bbox_pred")
        #expect(close(cls.scalars, Array(eCls.scalars.prefix(cls.count))), "\(name) cls_score")
        #expect(close(reg.scalars, Array(eReg.scalars.prefix(reg.count))), "\(name) bbox_pred")
        // RoIAlign from our FPN features over mmdetection's RoIs (features carry float noise).
        let pooled = withNoGrad { extractor(d.neck(d.backbone(try! tiny.input())), rois: rois) }
        #expect(pooled.shape == [rois.dim(0), extractor.outChannels, 7, 7])
        #expect(close(Array(pooled.scalars.prefix(feats.count)), feats.scalars, rtol: 1e-3), "\(name) RoI features")
        // The mask head on mmdetection's pooled mask features.
        guard let maskHead = roiHead.maskHead else { return }
        let maskFeats = try tiny.tensors.tensor("mask.roi_feats.first4")
        let logits = withNoGrad { maskHead(maskFeats) }
        let eMask = try tiny.tensors.tensor("mask.mask_pred.first16")
        #expect(close(logits.scalars, Array(eMask.scalars.prefix(logits.count))), "\(name) mask logits")
    }
}

/// R-CNN sampling, targets and box losses from mmdetection's own training proposals and
/// predictions (deterministic sampling: every candidate is taken).
@Suite struct BBoxLossFixtureTests {
    @Test(arguments: TinyCase.names)
    func targetsAndLossesMatchMmdetection(name: String) throws {
        let tiny = try TinyCase(name)
        let roiHead = try StandardRoIHead(config: try tiny.modelConfig().view("roi_head"))
        let cfg = try RCNNTrainConfig(config: try tiny.sidecar.view("train_cfg").view("rcnn"))
        let t = tiny.tensors
        var rng = SeededGenerator(seed: 0)
        let samples = roiHead.sampleRoIs(
            proposals: [try t.tensor("train.rpn.proposals.bboxes")], gtBoxes: [try tiny.shared.tensor("train.gt_bboxes")],
            gtLabels: [try tiny.shared.indices("train.gt_labels").values], config: cfg, using: &rng)
        let s = samples.perImage[0]
        #expect(s.positives == (try t.indices("train.rcnn.pos_inds")).values, "\(name) positives")
        #expect(s.negatives == (try t.indices("train.rcnn.neg_inds")).values, "\(name) negatives")
        #expect(s.positiveGtIndices == (try t.indices("train.rcnn.pos_assigned_gt_inds")).values, "\(name) assigned gts")
        #expect(samples.rois.scalars == (try t.tensor("train.rcnn.rois")).scalars, "\(name) rois")
        #expect(samples.labels == (try t.indices("train.rcnn.labels")).values, "\(name) labels")
        let eTargets = try t.tensor("train.rcnn.bbox_targets").scalars
        #expect(zip(samples.bboxTargets, eTargets).allSatisfy { Swift.abs($0 - $1) <= 1e-6 * max(1, Swift.abs($1)) }, "\(name) bbox targets")
        let (cls, bbox, acc) = roiHead.bboxHead.loss(clsScore: try t.tensor("train.rcnn.cls_score"),
                                                     bboxPred: try t.tensor("train.rcnn.bbox_pred"), samples: samples)
        let log = try tiny.sidecar.view("train").view("log_vars")
        let (eCls, eBox, eAcc) = (try log.double("loss_cls"), try log.double("loss_bbox"), try log.double("acc"))
        #expect(Swift.abs(Double(cls.item) - eCls) <= 1e-5 * eCls, "\(name) loss_cls \(cls.item) vs \(eCls)")
        #expect(Swift.abs(Double(bbox.item) - eBox) <= 1e-5 * eBox, "\(name) loss_bbox \(bbox.item) vs \(eBox)")
        #expect(Swift.abs(Double(acc) - eAcc) <= 1e-4, "\(name) acc \(acc) vs \(eAcc)")
    }
}

/// Box post-processing on mmdetection's own predictions: softmax, decode (+ rescale for
/// Faster R-CNN), the score filter, NMS keep and the final detections.
@Suite struct BBoxPredictFixtureTests {
    @Test(arguments: TinyCase.names)
    func postProcessingMatchesMmdetection(name: String) throws {
        let tiny = try TinyCase(name)
        let model = try tiny.modelConfig()
        let head = try ModelRegistry.bboxHeads.build(try model.view("roi_head").view("bbox_head"))
        let cfg = try RCNNTestConfig(config: try tiny.sidecar.view("test_cfg").view("rcnn"))
        let meta = try tiny.sidecar.view("test_meta")
        let shape = try meta.ints("img_shape"), sf = try meta.doubles("scale_factor")
        let isMask = try model.view("roi_head").contains("mask_head")
        let t = tiny.tensors
        let cls = try t.tensor("rcnn.cls_score"), reg = try t.tensor("rcnn.bbox_pred"), rois = try t.tensor("rcnn.rois")
        let dets = head.predict(clsScore: cls, bboxPred: reg, rois: rois, imgShape: (shape[0], shape[1]),
                                rescaleBy: isMask ? nil : (sf[0], sf[1]), config: cfg)
        // Stage inputs: softmax and decode agree to float rounding.
        let eScores = try t.tensor("rcnn.multiclass_nms_in.scores").scalars
        #expect(zip(cls.softmax(axis: 1).scalars, eScores).allSatisfy { Swift.abs($0 - $1) <= 1e-6 }, "\(name) softmax")
        // NMS on mmdetection's candidates keeps the same boxes.
        let nmsBoxes = try t.tensor("rcnn.nms_in_boxes"), nmsScores = try t.tensor("rcnn.nms_in_scores")
        let keep = Detection.batchedNMS(boxes: nmsBoxes, scores: nmsScores, idxs: try t.indices("rcnn.nms_in_labels").values, iouThreshold: cfg.iouThreshold)
        #expect(keep == (try t.indices("rcnn.nms_keep")).values, "\(name) NMS keep")
        // Final detections: same labels and order, boxes within 1e-3 px, scores within 1e-6.
        #expect(dets.labels == (try t.indices("rcnn.dets.labels")).values, "\(name) labels")
        let eb = try t.tensor("rcnn.dets.bboxes").scalars
        #expect(dets.boxes.count == eb.count && zip(dets.boxes.scalars, eb).allSatisfy { Swift.abs($0 - $1) <= 1e-3 }, "\(name) boxes")
        #expect(zip(dets.scores, try t.tensor("rcnn.dets.scores").scalars).allSatisfy { Swift.abs($0 - $1) <= 1e-6 }, "\(name) scores")
    }
}

/// Mask targets and loss_mask from mmdetection's own training proposals, gt masks and mask
/// logits (Mask R-CNN cases).
@Suite struct MaskLossFixtureTests {
    @Test(arguments: TinyCase.names.filter { $0.contains("mask-rcnn") })
    func targetsAndLossMatchMmdetection(name: String) throws {
        let tiny = try TinyCase(name)
        let roiHead = try StandardRoIHead(config: try tiny.modelConfig().view("roi_head"))
        let maskHead = try #require(roiHead.maskHead)
        let cfg = try RCNNTrainConfig(config: try tiny.sidecar.view("train_cfg").view("rcnn"))
        let (t, shared) = (tiny.tensors, tiny.shared)
        var rng = SeededGenerator(seed: 0)
        let samples = roiHead.sampleRoIs(
            proposals: [try t.tensor("train.rpn.proposals.bboxes")], gtBoxes: [try shared.tensor("train.gt_bboxes")],
            gtLabels: [try shared.indices("train.gt_labels").values], config: cfg, using: &rng)
        // gt masks: uncompressed column-major RLEs (see the fixture README).
        let shape = try tiny.sidecar.view("train").ints("gt_masks_shape")
        let counts = try shared.indices("train.gt_masks.rle_counts").values.map(UInt32.init)
        let offsets = try shared.indices("train.gt_masks.rle_offsets").values
        let masks = try (0..<shape[0]).map { i in
            try RLE(height: shape[1], width: shape[2], counts: Array(counts[offsets[i]..<offsets[i + 1]])).decodeRowMajor()
        }
        let gt = BitmapMasks(height: shape[1], width: shape[2], masks: masks)
        let targets = maskHead.targets(samples: samples, gtMasks: [gt], size: cfg.maskSize)
        #expect(targets.scalars == (try t.tensor("train.mask.targets")).scalars, "\(name) mask targets")
        #expect(samples.positiveRoIs.scalars == (try t.tensor("train.mask.rois")).scalars, "\(name) mask rois")
        let loss = maskHead.loss(maskLogits: try t.tensor("train.mask.mask_pred"), targets: targets, labels: samples.positiveLabels)
        let e = try tiny.sidecar.view("train").view("log_vars").double("loss_mask")
        #expect(Swift.abs(Double(loss.item) - e) <= 1e-5 * e, "\(name) loss_mask \(loss.item) vs \(e)")
    }
}

/// Mask pasting: mmdetection's first 16 mask logits and detections, pasted into the original
/// image, against its predicted masks (IoU > 0.99 per instance, the criterion).
@Suite struct MaskPasteFixtureTests {
    @Test(arguments: TinyCase.names.filter { $0.contains("mask-rcnn") })
    func pastedMasksMatchMmdetection(name: String) throws {
        let tiny = try TinyCase(name)
        let t = tiny.tensors
        let meta = try tiny.sidecar.view("test_meta")
        let ori = try meta.ints("ori_shape"), sf = try meta.doubles("scale_factor")
        let thr = Float(try tiny.sidecar.view("test_cfg").view("rcnn").double("mask_thr_binary"))
        let logits = try t.tensor("mask.mask_pred.first16")  // (16, C, 28, 28)
        let labels = try t.indices("rcnn.dets.labels").values
        let boxes = try t.tensor("rcnn.dets.bboxes").scalars  // resized-image coordinates
        let counts = try t.indices("pred.masks.rle_counts").values.map(UInt32.init)
        let offsets = try t.indices("pred.masks.rle_offsets").values
        let (c, s) = (logits.dim(1), logits.dim(2))
        let l = logits.scalars
        for i in 0..<logits.dim(0) {
            let plane = (i * c + labels[i]) * s * s
            let probs = (0..<(s * s)).map { 1 / (1 + Foundation.exp(-l[plane + $0])) }
            // Boxes divided by the scale factor (mmdetection divides in place).
            let box = (0..<4).map { boxes[4 * i + $0] / Float($0 % 2 == 0 ? sf[0] : sf[1]) }
            let ours = MaskPaste.paste(probs: probs, size: s, box: box, imgH: ori[0], imgW: ori[1], threshold: thr)
            let theirs = try RLE(height: ori[0], width: ori[1], counts: Array(counts[offsets[i]..<offsets[i + 1]])).decodeRowMajor()
            let inter = zip(ours, theirs).filter { $0 == 1 && $1 == 1 }.count
            let union = zip(ours, theirs).filter { $0 == 1 || $1 == 1 }.count
            let iou = union == 0 ? 1 : Double(inter) / Double(union)
            #expect(inter > 0, "\(name) mask \(i): empty")
            #expect(iou > 0.99, "\(name) mask \(i): IoU \(iou) with mmdetection's")
        }
    }
}
