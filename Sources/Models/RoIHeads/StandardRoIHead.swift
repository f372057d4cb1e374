import Autograd
import Config
import Kernels
import NN

/// mmdetection's `StandardRoIHead`: RoI extraction + box head, and for Mask R-CNN a mask RoI
/// extraction + mask head. Keys `bbox_head.*`, `mask_head.*` (extractors have no parameters).
public final class StandardRoIHead: Module {
    public var training = true
    public let bboxRoIExtractor: SingleRoIExtractor
    public let bboxHead: any BBoxHead
    public let maskRoIExtractor: SingleRoIExtractor?
    public let maskHead: (any MaskHead)?
    /// The detector's `train_cfg.rcnn` (needed by `loss`) and `test_cfg.rcnn`.
    public var trainConfig: RCNNTrainConfig?
    public var testConfig = RCNNTestConfig()

    public init(bboxRoIExtractor: SingleRoIExtractor, bboxHead: any BBoxHead,
                maskRoIExtractor: SingleRoIExtractor? = nil, maskHead: (any MaskHead)? = nil) {
        checkInvariant((maskRoIExtractor == nil) == (maskHead == nil), "StandardRoIHead: a mask head needs its RoI extractor")
        self.bboxRoIExtractor = bboxRoIExtractor
        self.bboxHead = bboxHead
        self.maskRoIExtractor = maskRoIExtractor
        self.maskHead = maskHead
    }

    public var children: [(String, any Module)] {
        var out: [(String, any Module)] = [("bbox_head", bboxHead)]
        if let maskHead { out.append(("mask_head", maskHead)) }
        return out
    }

    public var withMask: Bool { maskHead != nil }
    public var inChannels: Int { bboxRoIExtractor.outChannels }
    public var numLevels: Int { max(bboxRoIExtractor.featmapStrides.count, maskRoIExtractor?.featmapStrides.count ?? 0) }
    public var numClasses: Int { bboxHead.numClasses }
}

extension StandardRoIHead {
    /// mmdetection's `StandardRoIHead` config (its train_cfg/test_cfg come from the detector's,
    /// through `configure`).
    public convenience init(config c: ConfigView) throws {
        try c.accept(["type", "bbox_roi_extractor", "bbox_head", "mask_roi_extractor", "mask_head",
                      "shared_head", "train_cfg", "test_cfg", "init_cfg"])
        try c.rejectInitConfig()
        if c.contains("shared_head"), c.value("shared_head") != ConfigValue.none {
            throw c.error("shared_head", "a shared head is not supported")
        }
        let maskHead = try c.optionalView("mask_head").map { try ModelRegistry.maskHeads.build($0) }
        let maskExtractor = try c.optionalView("mask_roi_extractor").map { try ModelRegistry.roiExtractors.build($0) }
        if (maskHead == nil) != (maskExtractor == nil) {
            throw c.error(maskHead == nil ? "mask_roi_extractor" : "mask_head", "mask_head and mask_roi_extractor go together")
        }
        let bboxExtractor = try ModelRegistry.roiExtractors.build(try c.view("bbox_roi_extractor"))
        for (head, extractor) in [("bbox_head", bboxExtractor), ("mask_head", maskExtractor)] {
            guard let extractor, let h = try c.optionalView(head) else { continue }
            let inC = try h.int("in_channels", default: 256)
            if inC != extractor.outChannels {
                throw h.error("in_channels", "\(inC) does not match the \(extractor.outChannels) channels of its RoI extractor's features "
                              + "(\(head == "bbox_head" ? "bbox" : "mask")_roi_extractor.out_channels)")
            }
        }
        if let maskExtractor, maskExtractor.outChannels != bboxExtractor.outChannels {
            throw try c.view("mask_roi_extractor").error("out_channels", "\(maskExtractor.outChannels) differs from bbox_roi_extractor.out_channels "
                                                     + "(\(bboxExtractor.outChannels)): both read the same neck maps")
        }
        let bboxHead = try ModelRegistry.bboxHeads.build(try c.view("bbox_head"))
        if bboxHead.roiFeatSize != bboxExtractor.outputSize {
            throw try c.view("bbox_head").error("roi_feat_size", "\(bboxHead.roiFeatSize) does not match the \(bboxExtractor.outputSize)x"
                + "\(bboxExtractor.outputSize) RoI features of \(c.keyPath).bbox_roi_extractor.roi_layer.output_size")
        }
        self.init(bboxRoIExtractor: bboxExtractor, bboxHead: bboxHead, maskRoIExtractor: maskExtractor, maskHead: maskHead)
    }
}

extension StandardRoIHead {
    public func configure(trainConfig train: ConfigView?, testConfig test: ConfigView?) throws {
        trainConfig = try train.map { try RCNNTrainConfig(config: try $0.view("rcnn")) }
        if let rcnn = try train?.view("rcnn"), let trainConfig, let maskHead, let maskRoIExtractor {
            let predicted = maskHead.maskSize(roiSize: maskRoIExtractor.outputSize)
            guard trainConfig.maskSize == predicted else {
                throw rcnn.error("mask_size", "\(trainConfig.maskSize) does not match the \(predicted)x\(predicted) masks the mask head "
                    + "predicts from mask_roi_extractor.roi_layer.output_size \(maskRoIExtractor.outputSize)")
            }
        }
        testConfig = try test.map { try RCNNTestConfig(config: try $0.view("rcnn")) } ?? RCNNTestConfig()
    }

    /// The box head's and the mask head's inits (the RoI extractors have no parameters).
    public func initWeights(using rng: inout SeededGenerator) {
        bboxHead.initWeights(using: &rng)
        maskHead?.initWeights(using: &rng)
    }
}
