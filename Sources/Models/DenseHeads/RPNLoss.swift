import Autograd
import Config
import Kernels

/// The RPN's training settings (mmdetection's `train_cfg.rpn`).
public struct RPNTrainConfig: Sendable {
    public var assigner: MaxIoUAssigner
    public var sampler: RandomSampler

    public init(assigner: MaxIoUAssigner, sampler: RandomSampler) {
        self.assigner = assigner
        self.sampler = sampler
    }

    public init(config c: ConfigView) throws {
        try c.accept(["assigner", "sampler", "allowed_border", "pos_weight", "debug"])
        guard try c.int("allowed_border", default: -1) == -1 else { throw c.error("allowed_border", "only -1 is supported") }
        guard try c.double("pos_weight", default: -1) <= 0 else { throw c.error("pos_weight", "only pos_weight <= 0 (weight 1) is supported") }
        self.init(assigner: try ModelRegistry.assigners.build(try c.view("assigner")),
                  sampler: try ModelRegistry.samplers.build(try c.view("sampler")))
    }
}

/// Per-anchor training targets of one image (anchors of all levels, level-major).
public struct RPNTargets {
    /// 1 for sampled positives, 0 otherwise (the sigmoid target of the single class).
    public var labels: [Float]
    /// 1 for sampled positives and negatives.
    public var labelWeights: [Float]
    /// Encoded deltas of positives (4 per anchor), 0 elsewhere.
    public var bboxTargets: [Float]
    public var bboxWeights: [Float]
    public var assignment: AssignResult
    public var sampling: SamplingResult
    /// Sampled positives + negatives: this image's share of the loss's avg_factor.
    public var avgFactor: Int { sampling.positives.count + sampling.negatives.count }
}

extension RPNHead {
    /// Anchors of all levels for feature sizes `sizes`, concatenated (K, 4), and their valid
    /// flags for an image padded to `padShape`.
    public func allAnchors(sizes: [(h: Int, w: Int)], padShape: (h: Int, w: Int)) -> (anchors: Tensor, valid: [Bool]) {
        var flat: [Float] = [], valid: [Bool] = []
        for (l, s) in sizes.enumerated() {
            flat += anchorGenerator.anchors(level: l, featmapSize: s).scalars
            valid += anchorGenerator.validFlags(level: l, featmapSize: s, padShape: padShape)
        }
        return (Tensor(shape: [flat.count / 4, 4], flat), valid)
    }

    /// mmdetection's RPN get_targets for one image: assign the valid anchors to `gtBoxes`
    /// (G, 4) (every gt has class 0 for the RPN), sample, encode positives' targets.
    public func targets(anchors: Tensor, valid: [Bool], gtBoxes: Tensor, config cfg: RPNTrainConfig,
                        using rng: inout SeededGenerator) -> RPNTargets {
        let inside = valid.indices.filter { valid[$0] }
        let a = anchors.scalars
        let insideAnchors = Tensor(shape: [inside.count, 4], inside.flatMap { a[(4 * $0)..<(4 * $0 + 4)] })
        let g = gtBoxes.dim(0)
        let overlaps = g > 0 ? Detection.boxIoU(gtBoxes, insideAnchors).scalars : []
        let assignment = cfg.assigner.assign(overlaps: overlaps, numGts: g, numBoxes: inside.count,
                                             gtLabels: [Int](repeating: 0, count: g))
        let sampling = cfg.sampler.sample(assignment, numPrependedGts: 0, using: &rng)
        let k = anchors.dim(0)
        var labels = [Float](repeating: 0, count: k), labelWeights = labels
        var bboxTargets = [Float](repeating: 0, count: 4 * k), bboxWeights = bboxTargets
        if !sampling.positives.isEmpty {
            let gts = gtBoxes.scalars
            let pos = Tensor(shape: [sampling.positives.count, 4], sampling.positives.flatMap { a[(4 * inside[$0])..<(4 * inside[$0] + 4)] })
            let matched = Tensor(shape: pos.shape, sampling.positiveGtIndices.flatMap { gts[(4 * $0)..<(4 * $0 + 4)] })
            let enc = coder.encode(pos, matched).scalars
            for (j, p) in sampling.positives.enumerated() {
                let i = inside[p]
                labels[i] = 1
                labelWeights[i] = 1
                for c in 0..<4 {
                    bboxTargets[4 * i + c] = enc[4 * j + c]
                    bboxWeights[4 * i + c] = 1
                }
            }
        }
        for n in sampling.negatives { labelWeights[inside[n]] = 1 }
        var projected = assignment
        projected.gtIndices = [Int](repeating: -1, count: k)  // outside anchors stay ignored
        projected.maxOverlaps = [Float](repeating: 0, count: k)
        for (j, i) in inside.enumerated() {
            projected.gtIndices[i] = assignment.gtIndices[j]
            projected.maxOverlaps[i] = assignment.maxOverlaps[j]
        }
        return RPNTargets(labels: labels, labelWeights: labelWeights, bboxTargets: bboxTargets, bboxWeights: bboxWeights,
                          assignment: projected, sampling: sampling)
    }

    /// loss_rpn_cls (sigmoid BCE) and loss_rpn_bbox (L1 or smooth L1 on deltas), each summed over levels
    /// and images and divided by the total sampled anchors, as mmdetection. `targets[n]`
    /// covers image n's anchors of all levels, level-major. With the head's configured losses
    /// (`clsLoss`, `bboxLoss`: loss_cls and loss_bbox of its config).
    public func loss(scores: [Tensor], deltas: [Tensor], targets: [RPNTargets]) -> (cls: Tensor, bbox: Tensor) {
        let n = targets.count
        let a = anchorGenerator.numBaseAnchors
        var logits: [Tensor] = [], preds: [Tensor] = []
        var labels: [Float] = [], lw: [Float] = [], bt: [Float] = [], bw: [Float] = []
        var levelStart = 0
        for l in scores.indices {
            let count = scores[l].dim(2) * scores[l].dim(3) * a
            logits.append(scores[l].permute([0, 2, 3, 1]).reshape([-1, 1]))  // (N H W A, 1)
            preds.append(deltas[l].permute([0, 2, 3, 1]).reshape([-1, 4]))  // (N H W A, 4)
            for t in targets {
                labels += t.labels[levelStart..<(levelStart + count)]
                lw += t.labelWeights[levelStart..<(levelStart + count)]
                bt += t.bboxTargets[(4 * levelStart)..<(4 * (levelStart + count))]
                bw += t.bboxWeights[(4 * levelStart)..<(4 * (levelStart + count))]
            }
            levelStart += count
        }
        let avg = Float(targets.reduce(0) { $0 + $1.avgFactor })
        let k = labels.count
        checkInvariant(k == logits.reduce(0) { $0 + $1.dim(0) } && n == scores[0].dim(0), "RPN loss: targets do not cover the batch's anchors")
        let cls = Losses.binaryCrossEntropyWithLogits(Tensor.concat(logits, axis: 0), Tensor(shape: [k, 1], labels),
                                                      weight: Tensor(shape: [k], lw), avgFactor: avg)
        let bbox = bboxLoss(Tensor.concat(preds, axis: 0), Tensor(shape: [k, 4], bt), weight: Tensor(shape: [k, 4], bw), avgFactor: avg)
        return (clsLoss.scaled(cls), bbox)
    }
}
