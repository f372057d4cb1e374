import Autograd
import Kernels
import Structures

extension StandardRoIHead {
    /// mmdetection's StandardRoIHead.loss: sample RoIs from `proposals` (one (K, 4) tensor per
    /// image), box head losses and accuracy, then the mask loss on the positive RoIs; in the
    /// loss dict's order (loss_cls, acc, loss_bbox[, loss_mask]).
    public func loss(_ feats: [Tensor], proposals: [Tensor], gtBoxes: [Tensor], samples: [DetSample],
                     using rng: inout SeededGenerator) throws -> [(name: String, value: Tensor)] {
        guard let cfg = trainConfig else { throw DetectorError("the model config has no train_cfg.rcnn: the RoI head cannot compute losses") }
        let head = bboxHead
        let sampled = sampleRoIs(proposals: proposals, gtBoxes: gtBoxes, gtLabels: samples.map(\.gtInstances.labels),
                                 config: cfg, drawSeeds: samples.map(\.meta.drawSeed), using: &rng)
        guard !sampled.labels.isEmpty else {
            // No proposal and no ground truth anywhere in the batch: nothing to learn from.
            let zero = Tensor.zeros([])
            var out: [(name: String, value: Tensor)] = [("loss_cls", zero), ("acc", Tensor.full([], 100)), ("loss_bbox", zero)]
            if withMask { out.append(("loss_mask", zero)) }
            return out
        }
        let (clsScore, bboxPred) = head(bboxRoIExtractor(feats, rois: sampled.rois))
        try NonFiniteError.check([clsScore, bboxPred], "roi_head.bbox_head outputs")
        let box = head.loss(clsScore: clsScore, bboxPred: bboxPred, samples: sampled)
        var out: [(name: String, value: Tensor)] = [("loss_cls", box.cls), ("acc", Tensor.full([], box.accuracy)), ("loss_bbox", box.bbox)]
        if let maskHead, let extractor = maskRoIExtractor {
            let rois = sampled.positiveRoIs
            if rois.dim(0) == 0 {
                out.append(("loss_mask", Tensor.zeros([])))  // mmdetection: no positives, mask loss 0
            } else {
                let logits = maskHead(extractor(feats, rois: rois))
                let masks = try samples.enumerated().map { try Self.bitmapMasks($1, index: $0) }
                let targets = maskHead.targets(samples: sampled, gtMasks: masks, size: cfg.maskSize)
                out.append(("loss_mask", maskHead.loss(maskLogits: logits, targets: targets, labels: sampled.positiveLabels)))
            }
        }
        return out
    }

    /// The sample's ground-truth masks as bitmaps (polygons rasterized at the padded size).
    static func bitmapMasks(_ s: DetSample, index: Int) throws -> BitmapMasks {
        switch s.gtInstances.masks {
        case .bitmap(let m)?: return m
        case .polygon(let p)?: return try p.toBitmap()
        case nil:
            guard s.gtInstances.count == 0 else {
                throw DetectorError("sample \(index) has no gt masks: a Mask R-CNN needs LoadAnnotations(with_mask=True)")
            }
            let shape = s.meta.batchInputShape ?? s.meta.imgShape ?? [1, 1]
            return BitmapMasks.empty(height: shape[0], width: shape[1])
        }
    }
}
