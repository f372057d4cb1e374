import Autograd
import Config
import Kernels
import NN

/// mmdetection's `TwoStageDetector`, registered as `FasterRCNN` and `MaskRCNN` (Ren et al.;
/// He et al.): backbone, FPN neck, RPN head and a standard RoI head, with mmdetection's keys
/// `backbone.*`, `neck.*`, `rpn_head.*`, `roi_head.*`.
public final class TwoStageDetector: Detector {
    public var training = true
    public let backbone: any Backbone
    public let neck: any Neck
    public let rpnHead: any DenseHead
    public let roiHead: any RoIHead
    /// `train_cfg.rpn_proposal`: the training proposals (the RPN's test settings when absent,
    /// as mmdetection); nil without a `train_cfg`, which `loss` needs. The heads hold their own
    /// entries of `train_cfg` and `test_cfg`.
    public var rpnProposal: ProposalConfig?

    public init(backbone: any Backbone, neck: any Neck, rpnHead: any DenseHead, roiHead: any RoIHead) {
        self.backbone = backbone
        self.neck = neck
        self.rpnHead = rpnHead
        self.roiHead = roiHead
    }

    public var children: [(String, any Module)] {
        [("backbone", backbone), ("neck", neck), ("rpn_head", rpnHead), ("roi_head", roiHead)]
    }

    public var numClasses: Int { roiHead.numClasses }
    public var withMask: Bool { roiHead.withMask }
}

extension TwoStageDetector {
    /// mmdetection's `FasterRCNN` / `MaskRCNN` model config (`model=dict(...)`).
    public convenience init(config c: ConfigView) throws {
        try c.accept(["type", "data_preprocessor", "backbone", "neck", "rpn_head", "roi_head", "train_cfg", "test_cfg", "init_cfg"])
        try c.rejectInitConfig()
        // The preprocessor is built by Datasets (DetDataPreprocessor) where the data is; its
        // type is checked here too, so that a detector never builds over a wrong one.
        if let pre = try c.optionalView("data_preprocessor"), let type = try pre.optionalString("type"),
           type.split(separator: ".").last != "DetDataPreprocessor" {
            throw pre.error("type", "unknown data preprocessor type '\(type)' (expected DetDataPreprocessor)")
        }
        let roiHead = try ModelRegistry.roiHeads.build(try c.view("roi_head"))
        if c.typeName == "MaskRCNN" && !roiHead.withMask { throw c.error("roi_head", "MaskRCNN needs a mask_head") }
        self.init(backbone: try ModelRegistry.backbones.build(try c.view("backbone")),
                  neck: try ModelRegistry.necks.build(try c.view("neck")),
                  rpnHead: try ModelRegistry.rpnHeads.build(try c.view("rpn_head")),
                  roiHead: roiHead)
        try checkChannels(c)
        // mmdetection's TwoStageDetector hands train_cfg.rpn / test_cfg.rpn to the RPN head and
        // train_cfg.rcnn / test_cfg.rcnn to the RoI head; rpn_proposal is its own.
        let train = try c.optionalView("train_cfg"), test = try c.optionalView("test_cfg")
        try train?.accept(["rpn", "rpn_proposal", "rcnn"])
        try test?.accept(["rpn", "rcnn"])
        try rpnHead.configure(trainConfig: train, testConfig: test)
        try roiHead.configure(trainConfig: train, testConfig: test)
        if let train {
            rpnProposal = try train.optionalView("rpn_proposal").map { try ProposalConfig(config: $0) } ?? rpnHead.testProposalConfig
        }
    }

    /// The parts fit each other (as mmdetection would find at the first forward, with a
    /// shape error deep in a conv): backbone outputs -> neck inputs, neck outputs -> both
    /// heads, neck levels -> anchor strides and RoI extractor strides.
    func checkChannels(_ c: ConfigView) throws {
        let neck = try c.view("neck"), rpn = try c.view("rpn_head"), roi = try c.view("roi_head")
        if self.neck.inChannels != backbone.outChannels {
            throw neck.error("in_channels", "\(self.neck.inChannels) does not match the backbone's outputs \(backbone.outChannels) "
                             + "(the channels of the stages in model.backbone.out_indices)")
        }
        if rpnHead.inChannels != self.neck.outChannels {
            throw rpn.error("in_channels", "\(rpnHead.inChannels) does not match the neck's \(self.neck.outChannels) output channels (model.neck.out_channels)")
        }
        if rpnHead.numLevels != self.neck.numOuts {
            throw try rpn.view("anchor_generator").error("strides", "\(rpnHead.numLevels) anchor strides for the neck's \(self.neck.numOuts) levels (model.neck.num_outs)")
        }
        if roiHead.inChannels != self.neck.outChannels {
            throw roi.error("bbox_roi_extractor", "out_channels \(roiHead.inChannels) does not match the neck's \(self.neck.outChannels) output channels (model.neck.out_channels)")
        }
        if roiHead.numLevels > self.neck.numOuts {
            for key in ["bbox_roi_extractor", "mask_roi_extractor"] {
                guard let extractor = try roi.optionalView(key) else { continue }
                let strides = try extractor.ints("featmap_strides", default: [])
                guard strides.count > self.neck.numOuts else { continue }
                throw extractor.error("featmap_strides", "\(strides) has \(strides.count) levels, the neck gives \(self.neck.numOuts) (model.neck.num_outs)")
            }
            throw roi.error(nil, "its RoI extractors read \(roiHead.numLevels) levels, the neck gives \(self.neck.numOuts) (model.neck.num_outs)")
        }
    }

    /// Backbone then neck: the feature pyramid, finest level first.
    public func features(_ inputs: Tensor) -> [Tensor] { neck(backbone(inputs)) }
}

extension TwoStageDetector {
    /// mmdetection's `model.init_weights()` for a model built from a config: every component's
    /// init_cfg (backbone Kaiming + zero_init_residual or its Pretrained file, FPN Xavier,
    /// RPN Normal(0.01), box head Normal/Xavier, mask head Kaiming), drawn from `seed`.
    public func initWeights(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        try backbone.initWeights(using: &rng)
        neck.initWeights(using: &rng)
        rpnHead.initWeights(using: &rng)
        roiHead.initWeights(using: &rng)
    }
}
