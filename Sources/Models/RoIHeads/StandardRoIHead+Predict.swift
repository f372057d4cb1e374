import Autograd
import Foundation
import Kernels
import Structures

extension StandardRoIHead: RoIHead {
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

    /// mmdetection's StandardRoIHead.predict: the boxes (multiclass NMS with `test_cfg.rcnn`),
    /// then with a mask head the masks of the detections.
    public func predict(_ feats: [Tensor], proposals: [Tensor], geometry: [SampleGeometry], rescale: Bool) -> [Detections] {
        var dets = predictBoxes(feats, proposals: proposals, geometry: geometry, rescale: rescale, config: testConfig)
        if withMask { predictMasks(feats, detections: &dets, geometry: geometry, rescale: rescale, threshold: testConfig.maskThresholdBinary) }
        return dets
    }

    /// StandardRoIHead.predict_bbox: one box-head pass over all images' proposals, then each
    /// image's rows through the head's post-processing.
    func predictBoxes(_ feats: [Tensor], proposals: [Tensor], geometry: [SampleGeometry], rescale: Bool,
                      config: RCNNTestConfig) -> [Detections] {
        let (rois, ranges) = Self.rois(proposals)
        guard rois.dim(0) > 0 else { return geometry.map { _ in .empty } }
        let head = bboxHead
        let (clsScore, bboxPred) = head(bboxRoIExtractor(feats, rois: rois))
        return geometry.indices.map { n in
            let rows = Array(ranges[n])
            guard !rows.isEmpty else { return .empty }
            let g = geometry[n]
            return head.predict(clsScore: clsScore.indexSelect(axis: 0, rows), bboxPred: bboxPred.indexSelect(axis: 0, rows),
                                rois: rois.indexSelect(axis: 0, rows), imgShape: g.imgShape,
                                rescaleBy: rescale && !withMask ? g.scaleFactor : nil, config: config)
        }
    }

    /// StandardRoIHead.predict_mask: mask logits for the detections (resized frame), then per
    /// detection the sigmoid of its class channel pasted into the output image; with
    /// `rescale` the boxes are divided by scale_factor first (in place, as mmdetection).
    func predictMasks(_ feats: [Tensor], detections dets: inout [Detections], geometry: [SampleGeometry], rescale: Bool,
                      threshold: Float) {
        guard let maskHead, let extractor = maskRoIExtractor else { return }
        let (rois, ranges) = Self.rois(dets.map(\.boxes))
        let logits = rois.dim(0) > 0 ? maskHead(extractor(feats, rois: rois)) : Tensor.zeros([0, maskHead.numClasses, 1, 1])
        let (c, s) = (logits.dim(1), logits.dim(2))
        let l = logits.scalars
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
