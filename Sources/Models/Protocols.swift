import Autograd
import Config
import Kernels
import NN
import Structures

/// A feature extractor producing a list of maps, finest first (mmdetection's backbones).
public protocol Backbone: Module {
    /// Channels of each map it returns (the detector checks the neck takes them).
    var outChannels: [Int] { get }
    func callAsFunction(_ x: Tensor) -> [Tensor]
    /// mmdetection's `init_weights()` for this backbone (its default init, or the
    /// `Pretrained` checkpoint its `init_cfg` names).
    func initWeights(using rng: inout SeededGenerator) throws
}

/// Turns backbone maps into the pyramid the heads read (mmdetection's necks).
public protocol Neck: Module {
    /// Channels of each input map it expects, of every map it returns, and how many it returns.
    var inChannels: [Int] { get }
    var outChannels: Int { get }
    var numOuts: Int { get }
    func callAsFunction(_ features: [Tensor]) -> [Tensor]
    /// mmdetection's `init_weights()` for this neck.
    func initWeights(using rng: inout SeededGenerator)
}

/// A dense head that proposes regions from the pyramid (mmdetection's RPN-style heads): its
/// own targets, losses and proposals.
public protocol DenseHead: Module {
    /// Channels of the pyramid maps it reads, and how many levels (anchor strides) it expects.
    var inChannels: Int { get }
    var numLevels: Int { get }
    /// Reads the head's own settings from the detector's `train_cfg` and `test_cfg` (nil when
    /// absent): its entry `rpn` in each, as mmdetection hands `train_cfg.rpn` and
    /// `test_cfg.rpn` to the RPN head.
    func configure(trainConfig: ConfigView?, testConfig: ConfigView?) throws
    /// mmdetection's `loss_and_predict`: the head's loss items (in the loss dict's order) and
    /// each image's training proposals (made with `proposalConfig`), unless `given` replace them.
    func lossAndPredict(_ feats: [Tensor], gtBoxes: [Tensor], geometry: [SampleGeometry], proposalConfig: ProposalConfig,
                        proposals given: [Tensor]?, using rng: inout SeededGenerator)
        throws -> (losses: [(name: String, value: Tensor)], proposals: [Tensor])
    /// Each image's test proposals, (K, 4) boxes in its resized frame.
    func predict(_ feats: [Tensor], geometry: [SampleGeometry]) throws -> [Tensor]
    /// The test proposal settings (the detector's training proposals default to them).
    var testProposalConfig: ProposalConfig { get }
    /// mmdetection's `init_weights()` for this head.
    func initWeights(using rng: inout SeededGenerator)
}

/// The second stage (mmdetection's RoI heads): from proposals to losses or detections.
public protocol RoIHead: Module {
    /// Object classes (without background).
    var numClasses: Int { get }
    /// Channels of the pyramid maps its RoI extractors read, and how many levels they use.
    var inChannels: Int { get }
    var numLevels: Int { get }
    /// Whether it predicts instance masks (Mask R-CNN).
    var withMask: Bool { get }
    /// Reads the head's own settings from the detector's `train_cfg` and `test_cfg` (nil when
    /// absent): its entry `rcnn` in each, as mmdetection hands `train_cfg.rcnn` and
    /// `test_cfg.rcnn` to the RoI head (a cascade reads a list of stages there).
    func configure(trainConfig: ConfigView?, testConfig: ConfigView?) throws
    /// The loss items in the loss dict's order (loss_cls, acc, loss_bbox[, loss_mask]).
    func loss(_ feats: [Tensor], proposals: [Tensor], gtBoxes: [Tensor], samples: [DetSample],
              using rng: inout SeededGenerator) throws -> [(name: String, value: Tensor)]
    /// Each image's detections (and masks); with `rescale` in its original frame.
    func predict(_ feats: [Tensor], proposals: [Tensor], geometry: [SampleGeometry], rescale: Bool) -> [Detections]
    /// mmdetection's `init_weights()` for this head.
    func initWeights(using rng: inout SeededGenerator)
}

/// A box head of an RoI head (mmdetection's bbox heads): class scores and box deltas per RoI.
public protocol BBoxHead: Module {
    /// Object classes (without background).
    var numClasses: Int { get }
    /// The side of the RoI features it reads (its RoI extractor's `output_size` must equal it).
    var roiFeatSize: Int { get }
    /// The coder its regression targets and predictions go through.
    var coder: DeltaXYWHBBoxCoder { get }
    /// RoI features (R, C, S, S) -> class scores (R, numClasses + 1) and deltas (R, 4 numClasses).
    func callAsFunction(_ roiFeatures: Tensor) -> (clsScore: Tensor, bboxPred: Tensor)
    /// loss_cls, loss_bbox and acc over the sampled RoIs, with the head's configured losses.
    func loss(clsScore: Tensor, bboxPred: Tensor, samples: RoISamples) -> (cls: Tensor, bbox: Tensor, accuracy: Float)
    /// One image's detections from its RoIs' outputs (decode, clip, optional rescale, NMS).
    func predict(clsScore: Tensor, bboxPred: Tensor, rois: Tensor, imgShape: (h: Int, w: Int),
                 rescaleBy scaleFactor: (w: Double, h: Double)?, config cfg: RCNNTestConfig) -> Detections
    /// mmdetection's `init_weights()` for this head.
    func initWeights(using rng: inout SeededGenerator)
}

/// A mask head of an RoI head (mmdetection's mask heads): per-class mask logits per RoI.
public protocol MaskHead: Module {
    /// Object classes (without background): the logit channels.
    var numClasses: Int { get }
    /// The side of its logits for RoI features of side `roiSize` (the mask targets' size).
    func maskSize(roiSize: Int) -> Int
    /// RoI features (P, C, S, S) -> logits (P, numClasses, M, M).
    func callAsFunction(_ x: Tensor) -> Tensor
    /// The positive RoIs' mask targets (P, size, size) from the ground-truth bitmaps.
    func targets(samples: RoISamples, gtMasks: [BitmapMasks], size: Int) -> Tensor
    /// loss_mask: the logits of each positive's label channel against its target.
    func loss(maskLogits: Tensor, targets: Tensor, labels: [Int]) -> Tensor
    /// mmdetection's `init_weights()` for this head.
    func initWeights(using rng: inout SeededGenerator)
}

/// A whole detector (mmdetection's detectors): losses on a preprocessed training batch and
/// detections on a test batch. Runner, ImageInference and the tools hold `any Detector`.
public protocol Detector: Module {
    /// Object classes (without background).
    var numClasses: Int { get }
    /// Whether it predicts instance masks.
    var withMask: Bool { get }
    /// The loss dict of one training step; `proposals`, when given, replace the first stage's.
    func loss(inputs: Tensor, samples: [DetSample], proposals: [Tensor]?, using rng: inout SeededGenerator) throws -> DetectorLosses
    /// Each sample's detections; with `rescale` in its original image.
    func predict(inputs: Tensor, samples: [DetSample], proposals: [Tensor]?, rescale: Bool) throws -> [Detections]
    /// mmdetection's `init_weights()` with every random draw from `seed`.
    func initWeights(seed: UInt64) throws
}
