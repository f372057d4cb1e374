import Config

/// The data registries of mmdetection (reference §2), one table each: registering a type is
/// one line here.
public enum Registries {
    public static let transforms = Registry<any Transform>("TRANSFORMS", [
        "LoadImageFromFile": { try LoadImageFromFile(config: $0) },
        "LoadAnnotations": { try LoadAnnotations(config: $0) },
        "Resize": { try Resize(config: $0) },
        "RandomFlip": { try RandomFlip(config: $0) },
        "PackDetInputs": { try PackDetInputs(config: $0) },
    ])

    public static let datasets = Registry<any DetectionDataset>("DATASETS", [
        "CocoDataset": { try CocoDataset(config: $0) },
    ])

    /// Samplers (`sampler=`): the order of one epoch.
    public static let samplers = Registry<any Sampler>("DATA_SAMPLERS", [
        "DefaultSampler": { try DefaultSampler(config: $0) },
    ])

    /// Batch samplers (`batch_sampler=`): how an order is cut into batches.
    public static let batchSamplers = Registry<BatchSamplerKind>("DATA_SAMPLERS", [
        "AspectRatioBatchSampler": { try BatchSamplerKind(aspectRatioConfig: $0) },
    ])
}
