import Kernels
/// Instance masks of one image, in either of mmdetection's two forms.
public enum InstanceMasks: Sendable, Equatable {
    case bitmap(BitmapMasks)
    case polygon(PolygonMasks)

    public var count: Int {
        switch self {
        case .bitmap(let m): m.count
        case .polygon(let m): m.count
        }
    }

    public func selecting(_ indices: [Int]) -> InstanceMasks {
        switch self {
        case .bitmap(let m): .bitmap(m.selecting(indices))
        case .polygon(let m): .polygon(m.selecting(indices))
        }
    }
}

/// The instances of one image (mmengine `InstanceData` as mmdet's `gt_instances` uses it):
/// boxes, labels (0-based class indices) and optional masks, one entry per instance.
public struct InstanceData: Sendable, Equatable {
    public var bboxes: HorizontalBoxes
    public var labels: [Int]
    public var masks: InstanceMasks?

    public init(bboxes: HorizontalBoxes = .empty, labels: [Int] = [], masks: InstanceMasks? = nil) {
        checkInvariant(bboxes.count == labels.count, "InstanceData: \(bboxes.count) boxes for \(labels.count) labels")
        checkInvariant(masks.map { $0.count == labels.count } ?? true, "InstanceData: masks do not match \(labels.count) instances")
        self.bboxes = bboxes
        self.labels = labels
        self.masks = masks
    }

    public var count: Int { labels.count }
}

/// The meta information that mmdetection packs with a sample (`PackDetInputs.meta_keys`) and
/// that the data preprocessor completes (`pad_shape`, `batch_input_shape`). Shapes are
/// (height, width); `scaleFactor` is (w_scale, h_scale). A key not packed is nil.
public struct SampleMeta: Sendable, Equatable {
    public var imgId: Int?
    public var imgPath: String?
    public var oriShape: [Int]?
    public var imgShape: [Int]?
    public var scaleFactor: [Double]?
    public var flip: Bool?
    /// nil when no flip was applied (mmdet stores None).
    public var flipDirection: FlipDirection?
    public var padShape: [Int]?
    public var batchInputShape: [Int]?
    /// The seed of the model's random draws for this sample in training (the RPN's anchor
    /// sampling, the RoI sampling): set by the data loader from the sample's position in the
    /// epoch, so that the draws do not depend on how the batch is split between processes.
    /// nil: the detector's shared generator draws.
    public var drawSeed: UInt64?
    /// The sample's position in its epoch's order over all processes of a job (set by the data
    /// loader): results gathered from the processes are put back in this order, and positions
    /// past the data set's size are the padding's repeats.
    public var position: Int?

    public init() {}
}

/// One detection sample as mmdetection's `DetDataSample`: meta information, the ground-truth
/// instances, and the ignored (crowd) instances.
public struct DetSample: Sendable, Equatable {
    public var meta: SampleMeta
    public var gtInstances: InstanceData
    public var ignoredInstances: InstanceData

    public init(meta: SampleMeta = SampleMeta(), gtInstances: InstanceData = InstanceData(),
                ignoredInstances: InstanceData = InstanceData()) {
        self.meta = meta
        self.gtInstances = gtInstances
        self.ignoredInstances = ignoredInstances
    }
}
