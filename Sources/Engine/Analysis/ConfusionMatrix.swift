import Datasets
import Foundation

/// mmdetection's `tools/analysis_tools/confusion_matrix.py`: a (K + 1) x (K + 1) matrix of
/// counts, rows the ground truth class, columns the predicted class, index K "background".
/// Its rules, kept as they are: per image and per predicted class, each detection scoring at
/// least `scoreThreshold` adds one to (gt class, predicted class) for *every* ground-truth
/// box it overlaps with IoU >= `iouThreshold` (no one-to-one matching), or one to
/// (background, predicted class) when it overlaps none; then every ground-truth box that no
/// detection of its own class reached adds one to (gt class, background). Crowd boxes count
/// as ground truth, as mmdetection's `get_data_info` gives them.
public struct ConfusionMatrix: Sendable {
    /// Class names; "background" is added as the last row and column.
    public let classes: [String]
    /// counts[gt][prediction], (K + 1) x (K + 1).
    public private(set) var counts: [[Double]]
    public let scoreThreshold: Double
    public let iouThreshold: Double

    /// A box (x1, y1, x2, y2) with its class.
    public struct Box: Sendable {
        public var x1, y1, x2, y2: Double
        public var label: Int
        public var score: Double
        public init(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, label: Int, score: Double = 1) {
            self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2; self.label = label; self.score = score
        }
    }

    public init(classes: [String], scoreThreshold: Double = 0.3, iouThreshold: Double = 0.5) {
        self.classes = classes
        self.scoreThreshold = scoreThreshold
        self.iouThreshold = iouThreshold
        counts = Array(repeating: Array(repeating: 0, count: classes.count + 1), count: classes.count + 1)
    }

    /// The row and column names: the classes, then "background".
    public var labels: [String] { classes + ["background"] }

    /// Adds one image's ground truth and detections (labels 0..<K).
    public mutating func add(groundTruth: [Box], detections: [Box]) {
        let k = classes.count
        var truePositives = [Int](repeating: 0, count: groundTruth.count)
        for c in Set(detections.map(\.label)).sorted() {
            for det in detections where det.label == c && det.score >= scoreThreshold {
                var matched = false
                for (j, gt) in groundTruth.enumerated() where Self.iou(det, gt) >= iouThreshold {
                    matched = true
                    counts[gt.label][c] += 1
                    if gt.label == c { truePositives[j] += 1 }
                }
                if !matched { counts[k][c] += 1 }
            }
        }
        for (j, gt) in groundTruth.enumerated() where truePositives[j] == 0 { counts[gt.label][k] += 1 }
    }

    /// mmdetection's numpy `bbox_overlaps` (no +1 on widths, union at least 1e-6).
    static func iou(_ a: Box, _ b: Box) -> Double {
        let w = max(min(a.x2, b.x2) - max(a.x1, b.x1), 0), h = max(min(a.y2, b.y2) - max(a.y1, b.y1), 0)
        let overlap = w * h
        let union = max((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - overlap, 1e-6)
        return overlap / union
    }

    /// Each row divided by its sum, times 100 (nil for a row with no count: mmdetection's NaN,
    /// drawn as "-1%").
    public var percentages: [[Double?]] {
        counts.map { row in
            let sum = row.reduce(0, +)
            return row.map { sum > 0 ? $0 / sum * 100 : nil }
        }
    }

    /// The counts as a table with class names (rows: ground truth, columns: prediction).
    public func text() -> String {
        let names = labels
        let first = max(names.map(\.count).max() ?? 0, "gt \\ pred".count)
        let cell = max(names.map(\.count).max() ?? 0, 6)
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(n - s.count, 0)) + s }
        var lines = [pad("gt \\ pred", first) + names.map { " " + pad($0, cell) }.joined()]
        for (i, row) in counts.enumerated() {
            lines.append(pad(names[i], first) + row.map { " " + pad(String(Int($0)), cell) }.joined())
        }
        return lines.joined(separator: "\n")
    }

    /// JSON with the classes, thresholds, counts and row percentages (null for empty rows).
    public func json() throws -> Data {
        let object: [String: Any] = [
            "classes": labels, "score_thr": scoreThreshold, "tp_iou_thr": iouThreshold,
            "counts": counts.map { $0.map { Int($0) } },
            "percentages": percentages.map { $0.map { $0 as Any? ?? NSNull() } },
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    }
}
