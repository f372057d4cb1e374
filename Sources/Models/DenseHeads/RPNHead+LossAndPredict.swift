import Autograd
import Config
import Kernels

extension RPNHead: DenseHead {
    public func configure(trainConfig train: ConfigView?, testConfig test: ConfigView?) throws {
        trainConfig = try train.map { try RPNTrainConfig(config: try $0.view("rpn")) }
        testConfig = try test.map { try ProposalConfig(config: try $0.view("rpn")) } ?? ProposalConfig()
    }

    public var testProposalConfig: ProposalConfig { testConfig }

    /// mmdetection's RPNHead.loss_and_predict: the RPN's targets and losses (loss_rpn_cls,
    /// loss_rpn_bbox) and the training proposals (`proposalConfig`: the detector's
    /// `train_cfg.rpn_proposal`, one (K, 4) tensor per image), unless `given` proposals replace
    /// them. Non-finite head outputs are an error.
    public func lossAndPredict(_ feats: [Tensor], gtBoxes: [Tensor], geometry: [SampleGeometry], proposalConfig: ProposalConfig,
                               proposals given: [Tensor]?, using rng: inout SeededGenerator)
        throws -> (losses: [(name: String, value: Tensor)], proposals: [Tensor])
    {
        guard let cfg = trainConfig else { throw DetectorError("the model config has no train_cfg.rpn: the RPN cannot compute losses") }
        let (scores, deltas) = self(feats)
        try NonFiniteError.check(scores + deltas, "rpn_head outputs")
        let sizes = scores.map { (h: $0.dim(2), w: $0.dim(3)) }
        var targets: [RPNTargets] = []
        for n in geometry.indices {
            let (anchors, valid) = allAnchors(sizes: sizes, padShape: geometry[n].padShape)
            targets.append(ImageDraws.with(seed: geometry[n].drawSeed, stream: ImageDraws.rpnStream, shared: &rng) {
                self.targets(anchors: anchors, valid: valid, gtBoxes: gtBoxes[n], config: cfg, using: &$0)
            })
        }
        let proposals = given ?? geometry.indices.map {
            self.proposals(scores: scores, deltas: deltas, image: $0, imgShape: geometry[$0].imgShape, config: proposalConfig).boxes
        }
        let rpn = loss(scores: scores, deltas: deltas, targets: targets)
        return ([("loss_rpn_cls", rpn.cls), ("loss_rpn_bbox", rpn.bbox)], proposals)
    }

    /// mmdetection's RPNHead.predict: each image's test proposals (`test_cfg.rpn`).
    public func predict(_ feats: [Tensor], geometry: [SampleGeometry]) throws -> [Tensor] {
        let (scores, deltas) = self(feats)
        try NonFiniteError.check(scores + deltas, "rpn_head outputs")
        return geometry.indices.map {
            proposals(scores: scores, deltas: deltas, image: $0, imgShape: geometry[$0].imgShape, config: testConfig).boxes
        }
    }
}
