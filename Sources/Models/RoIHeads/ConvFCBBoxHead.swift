import Autograd
import Config
import Kernels
import NN

/// mmdetection's `Shared2FCBBoxHead` / `Shared4Conv1FCBBoxHead` (ConvFCBBoxHead with shared
/// branches only): optional 3x3 ConvModules, flatten, fully connected layers with ReLU, then
/// `fc_cls` (num_classes + 1 logits, background last) and `fc_reg` (4 deltas per class, or 4
/// shared by all classes with `reg_class_agnostic`, as Cascade R-CNN's heads).
public final class ConvFCBBoxHead: BBoxHead {
    public var training = true
    public let numClasses: Int
    public let fcCls: Linear
    public let fcReg: Linear
    public let sharedConvs: [ConvModule]
    public let sharedFCs: [Linear]
    public let coder: DeltaXYWHBBoxCoder
    public let roiFeatSize: Int
    /// One 4-vector of deltas per RoI for every class (`reg_class_agnostic`).
    public let classAgnostic: Bool
    /// `loss_cls` (softmax cross-entropy) and `loss_bbox` settings.
    public var clsLoss = ClassLoss()
    public var bboxLoss = BoxLoss()

    public init(inChannels: Int, roiFeatSize: Int, numClasses: Int, numSharedConvs: Int, numSharedFCs: Int,
                convOutChannels: Int, fcOutChannels: Int, conv: ConvSpec, norm: NormSpec?, coder: DeltaXYWHBBoxCoder,
                classAgnostic: Bool = false) throws {
        self.numClasses = numClasses
        self.classAgnostic = classAgnostic
        self.roiFeatSize = roiFeatSize
        self.coder = coder
        var convs: [ConvModule] = []
        var c = inChannels
        for _ in 0..<numSharedConvs {
            convs.append(try ConvModule(c, convOutChannels, kernelSize: 3, padding: 1, conv: conv, norm: norm))
            c = convOutChannels
        }
        sharedConvs = convs
        var fcs: [Linear] = []
        var f = c * roiFeatSize * roiFeatSize
        for _ in 0..<numSharedFCs {
            fcs.append(try Linear(f, fcOutChannels))
            f = fcOutChannels
        }
        sharedFCs = fcs
        fcCls = try Linear(f, numClasses + 1)
        fcReg = try Linear(f, classAgnostic ? 4 : 4 * numClasses)
    }

    public var children: [(String, any Module)] {
        var out: [(String, any Module)] = [("fc_cls", fcCls), ("fc_reg", fcReg)]
        if !sharedConvs.isEmpty { out.append(("shared_convs", ModuleList(sharedConvs))) }
        if !sharedFCs.isEmpty { out.append(("shared_fcs", ModuleList(sharedFCs))) }
        return out
    }

    /// Class logits (R, num_classes + 1) and deltas (R, 4 num_classes), or (R, 4) when class-agnostic.
    public func callAsFunction(_ roiFeatures: Tensor) -> (clsScore: Tensor, bboxPred: Tensor) {
        var x = roiFeatures
        for conv in sharedConvs { x = conv(x) }
        x = x.reshape([x.dim(0), -1])
        for fc in sharedFCs { x = fc(x).relu() }
        return (fcCls(x), fcReg(x))
    }

    /// mmdetection's init: fc_cls Normal(0.01), fc_reg Normal(0.001), shared fcs Xavier
    /// (uniform), convs as ConvModule; biases 0.
    public func initWeights(using rng: inout SeededGenerator) {
        Init.fillNormal(fcCls.weight, mean: 0, std: 0.01, using: &rng)
        Init.fillNormal(fcReg.weight, mean: 0, std: 0.001, using: &rng)
        for fc in sharedFCs { Init.xavier(fc.weight, uniform: true, using: &rng) }
        for fc in [fcCls, fcReg] + sharedFCs { if let b = fc.bias { Init.fill(b, 0) } }
        for conv in sharedConvs { conv.initWeights(using: &rng) }
    }
}

extension ConvFCBBoxHead {
    /// The most shared convs or fcs a config may ask for (mmdetection's heads have up to 4).
    public static let mostLayers = 64

    /// mmdetection's `Shared2FCBBoxHead`, `Shared4Conv1FCBBoxHead` and shared-only
    /// `ConvFCBBoxHead` configs.
    public convenience init(config c: ConfigView) throws {
        try c.accept(["type", "num_shared_convs", "num_shared_fcs", "num_cls_convs", "num_cls_fcs", "num_reg_convs",
                      "num_reg_fcs", "conv_out_channels", "fc_out_channels", "conv_cfg", "norm_cfg", "init_cfg",
                      "with_avg_pool", "with_cls", "with_reg", "roi_feat_size", "in_channels", "num_classes",
                      "bbox_coder", "predict_box_type", "reg_class_agnostic", "reg_decoded_bbox", "reg_predictor_cfg",
                      "cls_predictor_cfg", "loss_cls", "loss_bbox"])
        let (defConvs, defFCs): (Int, Int) = switch c.typeName {
        case "Shared4Conv1FCBBoxHead": (4, 1)
        case "Shared2FCBBoxHead": (0, 2)
        default: (0, 0)
        }
        for key in ["num_cls_convs", "num_cls_fcs", "num_reg_convs", "num_reg_fcs"] where try c.int(key, default: 0) != 0 {
            throw c.error(key, "separate classification/regression branches are not supported (only shared layers)")
        }
        try c.expectFlags(["with_avg_pool", "reg_decoded_bbox"], false)
        try c.expectFlags(["with_cls", "with_reg"], true)
        try c.expectDefaultLayer("cls_predictor_cfg", "Linear")
        try c.expectDefaultLayer("reg_predictor_cfg", "Linear")
        if let box = try c.optionalString("predict_box_type"), box != "hbox" {
            throw c.error("predict_box_type", "only 'hbox' is supported, not '\(box)'")
        }
        try c.rejectInitConfig()
        try self.init(inChannels: try c.int("in_channels", default: 256, atLeast: 1),
                  roiFeatSize: try c.int("roi_feat_size", default: 7, in: 1...RoIAlignOptions.largestOutput),
                  numClasses: try c.int("num_classes", default: 80, atLeast: 1),
                  numSharedConvs: try c.int("num_shared_convs", default: defConvs, in: 0...Self.mostLayers),
                  numSharedFCs: try c.int("num_shared_fcs", default: defFCs, in: 0...Self.mostLayers),
                  convOutChannels: try c.int("conv_out_channels", default: 256, atLeast: 1),
                  fcOutChannels: try c.int("fc_out_channels", default: 1024, atLeast: 1),
                  conv: try ConvSpec(config: try c.optionalView("conv_cfg")),
                  norm: try c.optionalView("norm_cfg").map { v in
                      let norm = try NormSpec(config: v)
                      try norm.check(channels: [try c.int("conv_out_channels", default: 256, atLeast: 1)], v)
                      return norm
                  },
                  coder: try c.optionalView("bbox_coder").map { try ModelRegistry.bboxCoders.build($0) }
                      ?? DeltaXYWHBBoxCoder(stds: [0.1, 0.1, 0.2, 0.2]),
                  classAgnostic: try c.bool("reg_class_agnostic", default: false))
        clsLoss = try ClassLoss(config: try c.optionalView("loss_cls"))
        bboxLoss = try BoxLoss(config: try c.optionalView("loss_bbox"))
    }
}
