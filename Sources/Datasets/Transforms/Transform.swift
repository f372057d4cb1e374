import Config
import Kernels
import Structures

/// One step of a data pipeline (mmcv's `BaseTransform`): it reads and writes the fields of
/// `PipelineResults`. Random steps draw from `rng`, which the loader seeds per sample so that a
/// sample's augmentation does not depend on which worker thread makes it.
public protocol Transform: Sendable {
    func apply(_ results: inout PipelineResults, rng: inout SeededGenerator) throws
}

/// The results dict that mmdetection's transforms pass along, as typed fields. Shapes are
/// (height, width); `scaleFactor` is (w_scale, h_scale) as in mmdetection.
public struct PipelineResults: Sendable {
    public var info: DataInfo
    public var img: ImageU8?
    public var oriShape: [Int]?
    public var imgShape: [Int]?
    /// The target scale (w, h) a Resize was asked for.
    public var scale: (width: Int, height: Int)?
    public var scaleFactor: (Double, Double)?
    public var keepRatio: Bool?
    public var flip: Bool?
    public var flipDirection: FlipDirection?
    public var gtBboxes: HorizontalBoxes?
    public var gtLabels: [Int]?
    public var gtIgnoreFlags: [Bool]?
    public var gtMasks: InstanceMasks?
    /// Set by PackDetInputs: the end product of a pipeline.
    public var packed: PackedSample?

    public init(info: DataInfo) {
        self.info = info
    }
}

/// What a pipeline hands to the data preprocessor (mmdetection's packed `inputs` and
/// `data_samples`): the image, still 8-bit BGR HWC, and its `DetSample`.
public struct PackedSample: Sendable {
    public var image: ImageU8
    public var sample: DetSample

    public init(image: ImageU8, sample: DetSample) {
        self.image = image
        self.sample = sample
    }
}

/// A list of transforms run in order (mmcv `Compose`); it must end in `PackDetInputs`.
public struct Pipeline: Sendable {
    public let transforms: [any Transform]

    public init(_ transforms: [any Transform]) {
        self.transforms = transforms
    }

    /// Builds each dict of a `pipeline` list through the TRANSFORMS registry.
    public init(config views: [ConfigView]) throws {
        transforms = try views.map { try Registries.transforms.build($0) }
    }

    public func run(_ info: DataInfo, rng: inout SeededGenerator) throws -> PackedSample {
        var results = PipelineResults(info: info)
        for t in transforms { try t.apply(&results, rng: &rng) }
        guard let packed = results.packed else {
            throw DatasetError.pipeline("the pipeline did not pack a sample (it must end with PackDetInputs)")
        }
        return packed
    }
}
