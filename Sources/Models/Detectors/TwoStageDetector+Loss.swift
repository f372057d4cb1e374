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
        guard let proposalConfig = rpnProposal else { throw DetectorError("the model config has no train_cfg: it cannot compute losses") }
        guard inputs.rank == 4, inputs.dim(0) == samples.count else {
            throw DetectorError("inputs \(inputs.shape) do not match \(samples.count) samples")
        }
        let geometry = try samples.indices.map {
            try SampleGeometry(samples[$0].meta, input: (inputs.dim(2), inputs.dim(3)), index: $0)
        }
        let gtBoxes = samples.map { Tensor(shape: [$0.gtInstances.count, 4], $0.gtInstances.bboxes.values) }
        if let given, given.count != samples.count { throw DetectorError("\(given.count) proposal sets for \(samples.count) samples") }
        let feats = features(inputs)
        let rpn = try rpnHead.lossAndPredict(feats, gtBoxes: gtBoxes, geometry: geometry, proposalConfig: proposalConfig,
                                             proposals: given, using: &rng)
        let roi = try roiHead.loss(feats, proposals: rpn.proposals, gtBoxes: gtBoxes, samples: samples, using: &rng)
        return DetectorLosses(items: rpn.losses + roi)
    }
}
