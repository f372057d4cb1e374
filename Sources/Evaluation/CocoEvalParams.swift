/// COCOeval's parameters for `bbox` and `segm` (pycocotools `Params.setDetParams`), with the
/// exact float values numpy's `linspace` gives the thresholds.
public struct CocoEvalParams: Sendable {
    /// What is compared: boxes (`bbox`) or masks (`segm`).
    public enum IoUType: String, Sendable, CaseIterable {
        case bbox, segm
    }

    /// An area range, inclusive at both ends (an object of area 1024 is small and medium).
    public struct AreaRange: Hashable, Sendable {
        public var label: String
        public var lower: Double
        public var upper: Double

        public init(_ label: String, _ lower: Double, _ upper: Double) {
            self.label = label; self.lower = lower; self.upper = upper
        }

        @inlinable
        func excludes(_ area: Double) -> Bool { area < lower || area > upper }
    }

    public var iouType: IoUType
    /// Images to evaluate; nil: every ground-truth image.
    public var imageIds: [Int]?
    /// Categories to evaluate; nil: every ground-truth category.
    public var categoryIds: [Int]?
    public var iouThresholds: [Double]
    public var recallThresholds: [Double]
    /// Sorted ascending before evaluation, as pycocotools does.
    public var maxDetections: [Int]
    public var areaRanges: [AreaRange]
    /// false: one pool of all categories per image (`useCats = 0`).
    public var useCategories: Bool

    public init(iouType: IoUType) {
        self.iouType = iouType
        iouThresholds = CocoEvalParams.linspace(0.5, 0.95, count: 10)
        recallThresholds = CocoEvalParams.linspace(0.0, 1.0, count: 101)
        maxDetections = [1, 10, 100]
        areaRanges = [
            AreaRange("all", 0, 1e10), AreaRange("small", 0, 1024),
            AreaRange("medium", 1024, 9216), AreaRange("large", 9216, 1e10),
        ]
        useCategories = true
    }

    /// `np.linspace(start, stop, count)`: `i * ((stop - start) / (count - 1)) + start`, the last
    /// value set to `stop` (so iouThrs[8] is 0.8999999999999999 and recThrs[35]
    /// 0.35000000000000003).
    public static func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (stop - start) / Double(count - 1)
        var values = (0..<count).map { Double($0) * step + start }
        values[count - 1] = stop
        return values
    }
}
