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

    public static let samplers = Registry<RandomSampler>("TASK_UTILS", [
        "RandomSampler": { try RandomSampler(config: $0) },
    ])
}
