import Kernels

/// A detection dataset (mmdetection's DATASETS): indexed samples through its pipeline, with
/// the class names and category ids that map labels to the annotation file. DataLoader, the
/// runner and the tools hold `any DetectionDataset`; `CocoDataset` is the one registered.
public protocol DetectionDataset: AnyObject, Sendable {
    /// The file it reads (the annotation file), for messages.
    var source: String { get }
    /// Class names, label order.
    var classes: [String] { get }
    /// The annotation file's category id of each label.
    var categoryIds: [Int] { get }
    /// An RGB colour per label for drawing (`metainfo.palette`), if the config gives one.
    var palette: [[UInt8]]? { get }
    /// What a sample that fails to load does: stop the run, or be skipped with a warning.
    var onBadSample: BadSamplePolicy { get }
    /// Whether it serves evaluation (no training filters, no random transforms).
    var testMode: Bool { get }
    /// The transforms every sample goes through.
    var pipeline: Pipeline { get }
    /// Samples after filtering.
    var count: Int { get }
    /// Sample `i`'s record (file, size, instances), without decoding it.
    func info(_ i: Int) -> DataInfo
    /// Sample `i` through the pipeline (random transforms draw from `rng`).
    func sample(_ i: Int, rng: inout SeededGenerator) throws -> PackedSample
}

/// What a sample that fails to load does (`on_bad_sample`, a SwiftDet key): stop the run, or
/// be skipped with a warning.
public enum BadSamplePolicy: String, Sendable { case error, skip }

extension CocoDataset: DetectionDataset {
    public var source: String { annotationFile }
}
