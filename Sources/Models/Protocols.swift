import Autograd
import Kernels
import NN
import Structures

/// A feature extractor producing a list of maps, finest first (mmdetection's backbones).
public protocol Backbone: Module {
    func callAsFunction(_ x: Tensor) -> [Tensor]
    /// mmdetection's `init_weights()` for this backbone (its default init, or the
    /// `Pretrained` checkpoint its `init_cfg` names).
    func initWeights(using rng: inout SeededGenerator) throws
}

/// Turns backbone maps into the pyramid the heads read (mmdetection's necks).
public protocol Neck: Module {
    func callAsFunction(_ features: [Tensor]) -> [Tensor]
    /// mmdetection's `init_weights()` for this neck.
    func initWeights(using rng: inout SeededGenerator)
}

/// A dense head that proposes regions from the pyramid (mmdetection's RPN-style heads): its
/// own targets, losses and proposals.
public protocol DenseHead: Module {
    /// mmdetection's `loss_and_predict`: the head's loss items (in the loss dict's order) and
    /// each image's training proposals (`cfg.rpnProposal`), unless `given` replace them.
    func lossAndPredict(_ feats: [Tensor], gtBoxes: [Tensor], geometry: [SampleGeometry], config cfg: DetectorTrainConfig,
                        proposals given: [Tensor]?, using rng: inout SeededGenerator)
        throws -> (losses: [(name: String, value: Tensor)], proposals: [Tensor])
    /// Each image's test proposals, (K, 4) boxes in its resized frame.
    func predict(_ feats: [Tensor], geometry: [SampleGeometry], config: ProposalConfig) throws -> [Tensor]
    /// mmdetection's `init_weights()` for this head.
    func initWeights(using rng: inout SeededGenerator)
}

/// The second stage (mmdetection's RoI heads): from proposals to losses or detections.
public protocol RoIHead: Module {
    /// Object classes (without background).
    var numClasses: Int { get }
    /// Whether it predicts instance masks (Mask R-CNN).
    var withMask: Bool { get }
    /// The loss items in the loss dict's order (loss_cls, acc, loss_bbox[, loss_mask]).
    func loss(_ feats: [Tensor], proposals: [Tensor], gtBoxes: [Tensor], samples: [DetSample], config cfg: RCNNTrainConfig,
              using rng: inout SeededGenerator) throws -> [(name: String, value: Tensor)]
    /// Each image's detections (and masks); with `rescale` in its original frame.
    func predict(_ feats: [Tensor], proposals: [Tensor], geometry: [SampleGeometry], rescale: Bool,
                 config: RCNNTestConfig) -> [Detections]
    /// mmdetection's `init_weights()` for this head.
    func initWeights(using rng: inout SeededGenerator)
}
