import Autograd
import Config
import Kernels
import NN

/// mmdetection's `RPNHead` (Ren et al., Faster R-CNN): a shared 3x3 conv + ReLU on every
/// pyramid level, then 1x1 convs for objectness (`rpn_cls`, sigmoid: one logit per anchor)
/// and box deltas (`rpn_reg`, 4 per anchor).
public final class RPNHead: Module {
    public var training = true
    public let rpnConv: Conv2d
    public let rpnCls: Conv2d
    public let rpnReg: Conv2d
    public let anchorGenerator: AnchorGenerator
    public let coder: DeltaXYWHBBoxCoder
    /// Logits per anchor: 1 with sigmoid (mmdetection's RPN), else num_classes + 1.
    public let clsOutChannels: Int
    /// `loss_cls` (sigmoid cross-entropy) and `loss_bbox` settings.
    public var clsLoss = ClassLoss()
    public var bboxLoss = BoxLoss()
    /// The detector's `train_cfg.rpn` (needed by `lossAndPredict`) and `test_cfg.rpn`.
    public var trainConfig: RPNTrainConfig?
    public var testConfig = ProposalConfig()

    public init(inChannels: Int, featChannels: Int, anchorGenerator: AnchorGenerator, coder: DeltaXYWHBBoxCoder, useSigmoid: Bool = true) throws {
        let a = anchorGenerator.numBaseAnchors
        clsOutChannels = useSigmoid ? 1 : 2
        rpnConv = try Conv2d(inChannels, featChannels, kernelSize: 3, padding: 1)
        rpnCls = try Conv2d(featChannels, a * clsOutChannels, kernelSize: 1)
        rpnReg = try Conv2d(featChannels, a * 4, kernelSize: 1)
        self.anchorGenerator = anchorGenerator
        self.coder = coder
    }

    public var inChannels: Int { rpnConv.weight.dim(1) * rpnConv.groups }
    public var numLevels: Int { anchorGenerator.numLevels }

    public var children: [(String, any Module)] {
        [("rpn_conv", rpnConv), ("rpn_cls", rpnCls), ("rpn_reg", rpnReg)]
    }

    /// Per level: objectness logits (N, A, H, W) and deltas (N, 4A, H, W).
    public func callAsFunction(_ features: [Tensor]) -> (scores: [Tensor], deltas: [Tensor]) {
        var scores: [Tensor] = [], deltas: [Tensor] = []
        for x in features {
            let h = rpnConv(x).relu()
            scores.append(rpnCls(h))
            deltas.append(rpnReg(h))
        }
        return (scores, deltas)
    }

    /// mmdetection's init_cfg for RPNHead: Normal(std 0.01) on every conv, zero bias.
    public func initWeights(using rng: inout SeededGenerator) {
        for conv in [rpnConv, rpnCls, rpnReg] {
            Init.fillNormal(conv.weight, mean: 0, std: 0.01, using: &rng)
            if let b = conv.bias { Init.fill(b, 0) }
        }
    }
}

extension RPNHead {
    /// mmdetection's `RPNHead` config (anchor_generator, bbox_coder, loss_cls, loss_bbox).
    public convenience init(config c: ConfigView) throws {
        try c.accept(["type", "in_channels", "feat_channels", "num_classes", "num_convs", "anchor_generator",
                      "bbox_coder", "loss_cls", "loss_bbox", "train_cfg", "test_cfg", "init_cfg", "reg_decoded_bbox"])
        guard try c.int("num_convs", default: 1) == 1 else { throw c.error("num_convs", "only num_convs=1 is supported") }
        guard try c.int("num_classes", default: 1) == 1 else { throw c.error("num_classes", "an RPN has num_classes=1") }
        try c.expectFlags(["reg_decoded_bbox"], false)
        try c.rejectInitConfig()
        let useSigmoid = try c.optionalView("loss_cls").map { try $0.bool("use_sigmoid", default: false) } ?? true
        guard useSigmoid else { throw c.error("loss_cls", "only a sigmoid RPN (use_sigmoid=True) is supported") }
        let inC = try c.int("in_channels", atLeast: 1)
        try self.init(inChannels: inC, featChannels: try c.int("feat_channels", default: inC, atLeast: 1),
                  anchorGenerator: try ModelRegistry.anchorGenerators.build(try c.view("anchor_generator")),
                  coder: try ModelRegistry.bboxCoders.build(try c.view("bbox_coder")), useSigmoid: useSigmoid)
        clsLoss = try ClassLoss(config: try c.optionalView("loss_cls"), sigmoid: true)
        bboxLoss = try BoxLoss(config: try c.optionalView("loss_bbox"))
    }
}
