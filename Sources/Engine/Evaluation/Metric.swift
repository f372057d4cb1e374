import Config
import Evaluation

/// An evaluator of `val_evaluator` / `test_evaluator` (mmdetection's METRICS): the run's
/// detection records in, the ordered metrics and the printed report out. The runner holds
/// `any Metric`; `CocoMetric` is the one registered.
public protocol Metric {
    func evaluate(_ records: [DetectionRecord]) throws -> MetricResult
}

/// What one evaluation produced: the ordered metrics and the printed text.
public struct MetricResult {
    public var metrics: [(String, Double)]
    public var text: String
    /// The 12 unrounded summary numbers of each evaluated COCO metric (empty for others).
    public var stats: [CocoEvalParams.IoUType: [Double]] = [:]

    public init(metrics: [(String, Double)], text: String, stats: [CocoEvalParams.IoUType: [Double]] = [:]) {
        self.metrics = metrics
        self.text = text
        self.stats = stats
    }
}

/// The evaluator registry (mmdetection's METRICS): registering a metric is one line here.
public enum MetricRegistry {
    public static let metrics = Registry<any Metric>("METRICS", [
        "CocoMetric": { try CocoMetric(config: $0) },
    ])
}
