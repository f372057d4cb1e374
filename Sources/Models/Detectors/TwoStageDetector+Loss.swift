import Autograd
import Kernels
import Structures

/// mmdetection's loss dict of one training step, in its order (loss_rpn_cls, loss_rpn_bbox,
/// loss_cls, acc, loss_bbox[, loss_mask]), and the total that backward starts from.
public struct DetectorLosses {
    public var items: [(name: String, value: Tensor)]

    /// mmengine's parse_losses: the sum of every item whose name contains "loss".
    public var total: Tensor {
        items.filter { $0.name.contains("loss") }.map(\.value).dropFirst()
            .reduce(items.first { $0.name.contains("loss") }!.value) { $0 + $1 }
    }

    public subscript(name: String) -> Tensor? { items.first { $0.name == name }?.value }
}

extension TwoStageDetector {
    /// mmdetection's TwoStageDetector.loss on a preprocessed batch: RPN targets and losses,
    /// training proposals (`train_cfg.rpn_proposal`, no gradient), R-CNN sampling, box losses
    /// and, with a mask head, the mask loss. `inputs` (N, 3, H, W); `samples` carry the
    /// ground truth in the resized (and flipped) frame. `proposals` (one (K, 4) tensor per
    /// image), when given, replace the RPN's training proposals in the R-CNN stage (as
    /// mmdetection's roi_head.loss on given rpn_results); the RPN losses are computed anyway.
    public func loss(inputs: Tensor, samples: [DetSample], proposals given: [Tensor]? = nil,
                     using rng: inout SeededGenerator) throws -> DetectorLosses {
        guard let cfg = trainConfig else { throw DetectorError("the model config has no train_cfg: it cannot compute losses") }
        guard inputs.rank == 4, inputs.dim(0) == samples.count else {
            throw DetectorError("inputs \(inputs.shape) do not match \(samples.count) samples")
        }
        let geometry = try samples.indices.map {
            try SampleGeometry(samples[$0].meta, input: (inputs.dim(2), inputs.dim(3)), index: $0)
        }
        let gtBoxes = samples.map { Tensor(shape: [$0.gtInstances.count, 4], $0.gtInstances.bboxes.values) }
        let feats = features(inputs)
        let (scores, deltas) = rpnHead(feats)
        try NonFiniteError.check(scores + deltas, "rpn_head outputs")
        let sizes = scores.map { (h: $0.dim(2), w: $0.dim(3)) }
        var targets: [RPNTargets] = [], proposals: [Tensor] = []
        for n in samples.indices {
            let (anchors, valid) = rpnHead.allAnchors(sizes: sizes, padShape: geometry[n].padShape)
            targets.append(rpnHead.targets(anchors: anchors, valid: valid, gtBoxes: gtBoxes[n], config: cfg.rpn, using: &rng))
        }
        if let given {
            guard given.count == samples.count else { throw DetectorError("\(given.count) proposal sets for \(samples.count) samples") }
            proposals = given
        } else {
            for n in samples.indices {
                proposals.append(rpnHead.proposals(scores: scores, deltas: deltas, image: n, imgShape: geometry[n].imgShape,
                                                   config: cfg.rpnProposal).boxes)
            }
        }
        let rpn = rpnHead.loss(scores: scores, deltas: deltas, targets: targets)
        var items: [(name: String, value: Tensor)] = [("loss_rpn_cls", rpn.cls), ("loss_rpn_bbox", rpn.bbox)]
        items += try roiLosses(feats, proposals: proposals, gtBoxes: gtBoxes, samples: samples, config: cfg.rcnn, using: &rng)
        return DetectorLosses(items: items)
    }

    /// StandardRoIHead.loss: sample RoIs, box head losses and accuracy, then the mask loss on
    /// the positive RoIs.
    func roiLosses(_ feats: [Tensor], proposals: [Tensor], gtBoxes: [Tensor], samples: [DetSample], config cfg: RCNNTrainConfig,
                   using rng: inout SeededGenerator) throws -> [(name: String, value: Tensor)] {
        let head = roiHead.bboxHead
        let sampled = roiHead.sampleRoIs(proposals: proposals, gtBoxes: gtBoxes, gtLabels: samples.map(\.gtInstances.labels),
                                         config: cfg, using: &rng)
        guard !sampled.labels.isEmpty else {
            // No proposal and no ground truth anywhere in the batch: nothing to learn from.
            let zero = Tensor.zeros([])
            var out: [(name: String, value: Tensor)] = [("loss_cls", zero), ("acc", Tensor.full([], 100)), ("loss_bbox", zero)]
            if roiHead.withMask { out.append(("loss_mask", zero)) }
            return out
        }
        let (clsScore, bboxPred) = head(roiHead.bboxRoIExtractor(feats, rois: sampled.rois))
        try NonFiniteError.check([clsScore, bboxPred], "roi_head.bbox_head outputs")
        let box = head.loss(clsScore: clsScore, bboxPred: bboxPred, samples: sampled)
        var out: [(name: String, value: Tensor)] = [("loss_cls", box.cls), ("acc", Tensor.full([], box.accuracy)), ("loss_bbox", box.bbox)]
        if let maskHead = roiHead.maskHead, let extractor = roiHead.maskRoIExtractor {
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
