import Autograd
import Config
import Kernels

/// The R-CNN stage's training settings (mmdetection's `train_cfg.rcnn`).
public struct RCNNTrainConfig: Sendable {
    public var assigner: MaxIoUAssigner
    public var sampler: RandomSampler
    public var maskSize: Int

    public init(assigner: MaxIoUAssigner, sampler: RandomSampler, maskSize: Int = 28) {
        self.assigner = assigner
        self.sampler = sampler
        self.maskSize = maskSize
    }

    public init(config c: ConfigView) throws {
        try c.accept(["assigner", "sampler", "mask_size", "pos_weight", "debug"])
        guard try c.double("pos_weight", default: -1) <= 0 else { throw c.error("pos_weight", "only pos_weight <= 0 (weight 1) is supported") }
        self.init(assigner: try ModelRegistry.assigners.build(try c.view("assigner")),
                  sampler: try ModelRegistry.samplers.build(try c.view("sampler")),
                  maskSize: try c.int("mask_size", default: 28, atLeast: 1))
    }
}

/// The sampled RoIs of a batch and their box-head targets, in mmdetection's order: per image,
/// its positives then its negatives (candidates = prepended gts + proposals).
public struct RoISamples {
    /// (R, 5): batch index, x1, y1, x2, y2.
    public var rois: Tensor
    /// Class per RoI; `numClasses` (background) for negatives.
    public var labels: [Int]
    /// Encoded deltas (R, 4) of positives against their gt, 0 for negatives.
    public var bboxTargets: [Float]
    public var isPositive: [Bool]
    public var perImage: [SamplingResult]
    /// Per image, the positives' boxes (P, 4) and their gt indices (mask targets use these).
    public var positiveBoxes: [Tensor]

    public init(rois: Tensor, labels: [Int], bboxTargets: [Float], isPositive: [Bool], perImage: [SamplingResult],
                positiveBoxes: [Tensor]) {
        self.rois = rois
        self.labels = labels
        self.bboxTargets = bboxTargets
        self.isPositive = isPositive
        self.perImage = perImage
        self.positiveBoxes = positiveBoxes
    }
}

extension StandardRoIHead {
    /// mmdetection's assign + sample + get_targets for the box head. `proposals[n]` (K, 4),
    /// `gtBoxes[n]` (G, 4), `gtLabels[n]` (G); `drawSeeds[n]`, when given, seeds image n's
    /// sampling (`ImageDraws`), else `rng` draws.
    public func sampleRoIs(proposals: [Tensor], gtBoxes: [Tensor], gtLabels: [[Int]], config cfg: RCNNTrainConfig,
                           drawSeeds: [UInt64?] = [], using rng: inout SeededGenerator) -> RoISamples {
        let numClasses = bboxHead.numClasses
        var rois: [Float] = [], labels: [Int] = [], targets: [Float] = [], positive: [Bool] = []
        var perImage: [SamplingResult] = [], positiveBoxes: [Tensor] = []
        for n in proposals.indices {
            let (props, gts) = (proposals[n], gtBoxes[n])
            let g = gts.dim(0), k = props.dim(0)
            let overlaps = g > 0 && k > 0 ? Detection.boxIoU(gts, props).scalars : []
            var assignment = cfg.assigner.assign(overlaps: overlaps, numGts: g, numBoxes: k, gtLabels: gtLabels[n])
            var candidates = props.scalars
            var prepended = 0
            if cfg.sampler.addGtAsProposals && g > 0 {
                assignment.addGroundTruths(labels: gtLabels[n])
                candidates = gts.scalars + candidates
                prepended = g
            }
            let s = ImageDraws.with(seed: n < drawSeeds.count ? drawSeeds[n] : nil, stream: ImageDraws.rcnnStream, shared: &rng) {
                cfg.sampler.sample(assignment, numPrependedGts: prepended, using: &$0)
            }
            perImage.append(s)
            let box = { (i: Int) in Array(candidates[(4 * i)..<(4 * i + 4)]) }
            let pos = Tensor(shape: [s.positives.count, 4], s.positives.flatMap(box))
            positiveBoxes.append(pos)
            if !s.positives.isEmpty {
                let gt = gts.scalars
                let matched = Tensor(shape: pos.shape, s.positiveGtIndices.flatMap { Array(gt[(4 * $0)..<(4 * $0 + 4)]) })
                targets += bboxHead.coder.encode(pos, matched).scalars
            }
            for (j, i) in s.positives.enumerated() {
                rois += [Float(n)] + box(i)
                labels.append(s.positiveLabels[j])
                positive.append(true)
            }
            for i in s.negatives {
                rois += [Float(n)] + box(i)
                labels.append(numClasses)
                targets += [0, 0, 0, 0]
                positive.append(false)
            }
        }
        return RoISamples(rois: Tensor(shape: [labels.count, 5], rois), labels: labels, bboxTargets: targets,
                          isPositive: positive, perImage: perImage, positiveBoxes: positiveBoxes)
    }
}

extension ConvFCBBoxHead {
    /// loss_cls (softmax cross-entropy over num_classes + 1, averaged over the sampled RoIs),
    /// loss_bbox (L1 on each positive's deltas of its class, or the class-agnostic ones,
    /// divided by all sampled RoIs),
    /// and acc (top-1 accuracy in percent), as mmdetection's BBoxHead.loss, with the head's
    /// configured losses (`clsLoss`, `bboxLoss`).
    public func loss(clsScore: Tensor, bboxPred: Tensor, samples: RoISamples)
        -> (cls: Tensor, bbox: Tensor, accuracy: Float)
    {
        let r = samples.labels.count
        checkInvariant(clsScore.shape == [r, numClasses + 1] && bboxPred.shape == [r, classAgnostic ? 4 : 4 * numClasses],
                     "BBoxHead.loss: scores \(clsScore.shape), deltas \(bboxPred.shape) for \(r) RoIs")
        let cls = Losses.crossEntropy(clsScore, IndexTensor(samples.labels), weight: Tensor.ones([r]), avgFactor: Float(max(r, 1)))
        let pos = samples.isPositive.indices.filter { samples.isPositive[$0] }
        let bbox: Tensor
        if pos.isEmpty {
            bbox = (bboxPred * 0).sum()  // keeps the graph, value 0, as mmdetection
        } else {
            // Each positive's 4-vector of its class: gather along the deltas axis.
            let cols = pos.flatMap { i in (0..<4).map { (classAgnostic ? 0 : 4 * samples.labels[i]) + $0 } }
            let picked = bboxPred.indexSelect(axis: 0, pos).gather(axis: 1, IndexTensor(shape: [pos.count, 4], cols))
            let target = Tensor(shape: [pos.count, 4], pos.flatMap { Array(samples.bboxTargets[(4 * $0)..<(4 * $0 + 4)]) })
            bbox = bboxLoss(picked, target, weight: Tensor.ones([pos.count, 4]), avgFactor: Float(r))
        }
        let scores = clsScore.scalars
        var correct = 0
        for i in 0..<r {
            // argmax (first maximum, as torch's topk on ties); a NaN row counts as wrong.
            var best = 0
            for k in 1...numClasses where scores[i * (numClasses + 1) + k] > scores[i * (numClasses + 1) + best] { best = k }
            if best == samples.labels[i] && scores[i * (numClasses + 1) + best].isFinite { correct += 1 }
        }
        return (clsLoss.scaled(cls), bbox,
                Float(correct) * 100 / Float(max(r, 1)))
    }
}
