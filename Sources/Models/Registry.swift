import Config

/// The one registry table of model components (mmdetection's MODELS), by kind.
public enum ModelRegistry {
    public static let detectors = Registry<any Detector>("MODELS", [
        "FasterRCNN": { try TwoStageDetector(config: $0) },
        "MaskRCNN": { try TwoStageDetector(config: $0) },
    ])

    public static let backbones = Registry<any Backbone>("MODELS", [
        "ResNet": { try ResNet(config: $0) },
        "ResNeXt": { try ResNet(config: $0) },
        "NormFreeResNet": { try NormFreeResNet(config: $0) },
    ])

    public static let necks = Registry<any Neck>("MODELS", [
        "FPN": { try FPN(config: $0) },
    ])

    public static let rpnHeads = Registry<any DenseHead>("MODELS", [
        "RPNHead": { try RPNHead(config: $0) },
    ])

    public static let bboxHeads = Registry<any BBoxHead>("MODELS", [
        "Shared2FCBBoxHead": { try ConvFCBBoxHead(config: $0) },
        "Shared4Conv1FCBBoxHead": { try ConvFCBBoxHead(config: $0) },
        "ConvFCBBoxHead": { try ConvFCBBoxHead(config: $0) },
    ])

    public static let maskHeads = Registry<any MaskHead>("MODELS", [
        "FCNMaskHead": { try FCNMaskHead(config: $0) },
    ])

    public static let roiExtractors = Registry<SingleRoIExtractor>("MODELS", [
        "SingleRoIExtractor": { try SingleRoIExtractor(config: $0) },
    ])

    public static let roiHeads = Registry<any RoIHead>("MODELS", [
        "StandardRoIHead": { try StandardRoIHead(config: $0) },
    ])

    /// `roi_layer` of an RoI extractor (mmcv's ops).
    public static let roiLayers = Registry<RoIAlignOptions>("MODELS", [
        "RoIAlign": { try RoIAlignOptions(config: $0) },
    ])

    /// `loss_cls`, `loss_bbox`, `loss_mask`: each head takes the kind it computes.
    public static let losses = Registry<any LossSpec>("MODELS", [
        "CrossEntropyLoss": { try CrossEntropyLossSpec(config: $0) },
        "L1Loss": { try BoxLoss(registered: $0) },
        "SmoothL1Loss": { try BoxLoss(registered: $0) },
    ])

    /// A mask head's `upsample_cfg` (mmcv's upsample layers).
    public static let upsampleLayers = Registry<Int>("MODELS", [
        // The transposed conv's scale factor.
        "deconv": { c in
            try c.accept(["scale_factor"])
            let scale = try c.int("scale_factor", default: 2)
            guard scale == 2 else { throw c.error("scale_factor", "only 2 is supported") }
            return scale
        },
    ])

    // MARK: Task modules (mmdetection's TASK_UTILS)

    public static let anchorGenerators = Registry<AnchorGenerator>("TASK_UTILS", [
        "AnchorGenerator": { try AnchorGenerator(config: $0) },
    ])

    public static let bboxCoders = Registry<DeltaXYWHBBoxCoder>("TASK_UTILS", [
        "DeltaXYWHBBoxCoder": { try DeltaXYWHBBoxCoder(config: $0) },
    ])

    public static let assigners = Registry<MaxIoUAssigner>("TASK_UTILS", [
        "MaxIoUAssigner": { try MaxIoUAssigner(config: $0) },
    ])

    /// An assigner's `iou_calculator`.
    public static let iouCalculators = Registry<String>("TASK_UTILS", [
        "BboxOverlaps2D": { c in
            try c.accept(["scale", "dtype"])
            guard try c.double("scale", default: 1) == 1, c.value("dtype")?.isNone ?? true else {
                throw c.error("scale", "only BboxOverlaps2D's defaults (scale 1, dtype None: float32) are supported")
            }
            return "BboxOverlaps2D"
        },
    ])

    /// The `nms` of test_cfg.rpn / test_cfg.rcnn (mmcv's batched_nms types): its IoU threshold.
    public static let nms = Registry<Float>("nms", [
        "nms": { c in
            try c.accept(["iou_threshold"])
            return Float(try c.double("iou_threshold", in: 0...1))
        },
    ])

    public static let samplers = Registry<RandomSampler>("TASK_UTILS", [
        "RandomSampler": { try RandomSampler(config: $0) },
    ])
}
