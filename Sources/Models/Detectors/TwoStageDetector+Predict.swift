import Autograd
import Foundation
import Kernels
import Structures

extension TwoStageDetector {
    /// mmdetection's TwoStageDetector.predict on a preprocessed batch, without gradients:
    /// test proposals (`test_cfg.rpn`), box head and multiclass NMS (`test_cfg.rcnn`), and with
    /// a mask head the masks of the detections. With `rescale` the results are in each
    /// sample's original image (ori_shape, boxes divided by scale_factor) as mmdetection
    /// rescales them: Faster R-CNN before its NMS, Mask R-CNN after the mask head. `proposals`
    /// (one (K, 4) tensor per image), when given, replace the RPN's.
    public func predict(inputs: Tensor, samples: [DetSample], proposals given: [Tensor]? = nil, rescale: Bool = true) throws -> [Detections] {
        guard inputs.rank == 4, inputs.dim(0) == samples.count else {
            throw DetectorError("inputs \(inputs.shape) do not match \(samples.count) samples")
        }
        if let given, given.count != samples.count { throw DetectorError("\(given.count) proposal sets for \(samples.count) samples") }
        let geometry = try samples.indices.map {
            try SampleGeometry(samples[$0].meta, input: (inputs.dim(2), inputs.dim(3)), index: $0)
        }
        var failure: Error?
        let result: [Detections] = withNoGrad {
            let feats = features(inputs)
            let (scores, deltas) = rpnHead(feats)
            do { try NonFiniteError.check(scores + deltas, "rpn_head outputs") } catch { failure = error; return [] }
            let proposals = given ?? samples.indices.map {
                rpnHead.proposals(scores: scores, deltas: deltas, image: $0, imgShape: geometry[$0].imgShape, config: testConfig.rpn).boxes
            }
            var dets = predictBoxes(feats, proposals: proposals, geometry: geometry, rescale: rescale)
            if roiHead.withMask { predictMasks(feats, detections: &dets, geometry: geometry, rescale: rescale) }
            return dets
        }
        if let failure { throw failure }
        return result
    }

    /// The (R, 5) RoIs (batch index, box) of per-image boxes and each image's row range.
    static func rois(_ boxes: [Tensor]) -> (rois: Tensor, ranges: [Range<Int>]) {
        var flat: [Float] = [], ranges: [Range<Int>] = [], start = 0
        for (n, b) in boxes.enumerated() {
            let v = b.scalars
            for i in 0..<b.dim(0) { flat += [Float(n)] + v[(4 * i)..<(4 * i + 4)] }
            ranges.append(start..<(start + b.dim(0)))
            start += b.dim(0)
        }
        return (Tensor(shape: [start, 5], flat), ranges)
    }

    /// StandardRoIHead.predict_bbox: one box-head pass over all images' proposals, then each
    /// image's rows through the head's post-processing.
    func predictBoxes(_ feats: [Tensor], proposals: [Tensor], geometry: [SampleGeometry], rescale: Bool) -> [Detections] {
        let (rois, ranges) = Self.rois(proposals)
        guard rois.dim(0) > 0 else { return geometry.map { _ in .empty } }
        let head = roiHead.bboxHead
        let (clsScore, bboxPred) = head(roiHead.bboxRoIExtractor(feats, rois: rois))
        return geometry.indices.map { n in
            let rows = Array(ranges[n])
            guard !rows.isEmpty else { return .empty }
            let g = geometry[n]
            return head.predict(clsScore: clsScore.indexSelect(axis: 0, rows), bboxPred: bboxPred.indexSelect(axis: 0, rows),
                                rois: rois.indexSelect(axis: 0, rows), imgShape: g.imgShape,
                                rescaleBy: rescale && !roiHead.withMask ? g.scaleFactor : nil, config: testConfig.rcnn)
        }
    }

    /// StandardRoIHead.predict_mask: mask logits for the detections (resized frame), then per
    /// detection the sigmoid of its class channel pasted into the output image; with
    /// `rescale` the boxes are divided by scale_factor first (in place, as mmdetection).
    func predictMasks(_ feats: [Tensor], detections dets: inout [Detections], geometry: [SampleGeometry], rescale: Bool) {
        guard let maskHead = roiHead.maskHead, let extractor = roiHead.maskRoIExtractor else { return }
        let (rois, ranges) = Self.rois(dets.map(\.boxes))
        let logits = rois.dim(0) > 0 ? maskHead(extractor(feats, rois: rois)) : Tensor.zeros([0, maskHead.numClasses, 1, 1])
        let (c, s) = (logits.dim(1), logits.dim(2))
        let l = logits.scalars
        let threshold = testConfig.rcnn.maskThresholdBinary
        for n in dets.indices {
            let g = geometry[n]
            let (sw, sh) = (Float(g.scaleFactor.w), Float(g.scaleFactor.h))
            var boxes = dets[n].boxes.scalars
            let outH = rescale ? g.oriShape.h : Int((Double(g.oriShape.h) * g.scaleFactor.h).rounded())
            let outW = rescale ? g.oriShape.w : Int((Double(g.oriShape.w) * g.scaleFactor.w).rounded())
            if rescale { for i in boxes.indices { boxes[i] /= i % 2 == 0 ? sw : sh } }
            let labels = dets[n].labels, first = ranges[n].lowerBound
            var masks = [[UInt8]](repeating: [], count: labels.count)
            masks.withUnsafeMutableBufferPointer { out in
                let outPtr = out.baseAddress!
                Parallel.forRange(labels.count, cost: outH * outW) { range in
                    for i in range {
                        let plane = ((first + i) * c + labels[i]) * s * s
                        let probs = (0..<(s * s)).map { 1 / (1 + Foundation.exp(-l[plane + $0])) }
                        outPtr[i] = MaskPaste.paste(probs: probs, size: s, box: Array(boxes[(4 * i)..<(4 * i + 4)]),
                                                    imgH: outH, imgW: outW, threshold: threshold)
                    }
                }
            }
            dets[n].boxes = Tensor(shape: [labels.count, 4], boxes)
            dets[n].masks = masks
        }
    }
}
