/// The arrays of `COCOeval.eval`: precision `[T, R, K, A, M]` and recall `[T, K, A, M]`
/// (thresholds, recall thresholds, categories, area ranges, maxDets), -1 where a category has
/// no ground truth for a setting. (`scores` is not kept.)
public struct CocoAccumulation: Sendable {
    /// Array dimensions and flat indices (row-major, as numpy stores them).
    public struct Shape: Hashable, Sendable {
        public let thresholds: Int
        public let recalls: Int
        public let categories: Int
        public let areas: Int
        public let maxDetections: Int

        public var precisionCount: Int { thresholds * recalls * categories * areas * maxDetections }
        public var recallCount: Int { thresholds * categories * areas * maxDetections }

        @inline(__always)
        public func precisionIndex(t: Int, r: Int, k: Int, a: Int, m: Int) -> Int {
            (((t * recalls + r) * categories + k) * areas + a) * maxDetections + m
        }

        @inline(__always)
        public func recallIndex(t: Int, k: Int, a: Int, m: Int) -> Int {
            ((t * categories + k) * areas + a) * maxDetections + m
        }
    }

    public let params: CocoEvalParams
    /// The category of each k (one pseudo-category -1 with useCategories = false).
    public let categoryIds: [Int]
    public let shape: Shape
    public let precision: [Double]
    public let recall: [Double]

    init(params: CocoEvalParams, categoryIds: [Int], shape: Shape, precision: [Double], recall: [Double]) {
        self.params = params
        self.categoryIds = params.useCategories ? categoryIds : [-1]
        self.shape = shape
        self.precision = precision
        self.recall = recall
    }

    public func precision(t: Int, r: Int, k: Int, a: Int, m: Int) -> Double {
        precision[shape.precisionIndex(t: t, r: r, k: k, a: a, m: m)]
    }

    public func recall(t: Int, k: Int, a: Int, m: Int) -> Double {
        recall[shape.recallIndex(t: t, k: k, a: a, m: m)]
    }
}
