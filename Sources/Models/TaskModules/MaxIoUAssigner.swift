import Config
import Kernels

/// The result of assigning candidate boxes to ground truths (mmdetection's AssignResult):
/// `gtIndices[i]` is 0 for a negative, -1 for an ignored box, k > 0 for gt k - 1.
public struct AssignResult: Equatable, Sendable {
    public var numGts: Int
    public var gtIndices: [Int]
    public var maxOverlaps: [Float]
    /// The assigned gt's label for positives, -1 otherwise.
    public var labels: [Int]

    public init(numGts: Int, gtIndices: [Int], maxOverlaps: [Float], labels: [Int]) {
        self.numGts = numGts
        self.gtIndices = gtIndices
        self.maxOverlaps = maxOverlaps
        self.labels = labels
    }

    /// Prepends the gts themselves as positives (RandomSampler's add_gt_as_proposals).
    public mutating func addGroundTruths(labels gtLabels: [Int]) {
        gtIndices = Array(1..<(numGts + 1)) + gtIndices
        maxOverlaps = [Float](repeating: 1, count: numGts) + maxOverlaps
        labels = gtLabels + labels
    }
}

/// mmdetection's `MaxIoUAssigner`: each box goes to the gt it overlaps most when that IoU is
/// >= posIoUThr, is negative below negIoUThr, ignored in between; with matchLowQuality every gt
/// also claims its best boxes (IoU >= minPosIoU), later gts overwriting earlier ones.
public struct MaxIoUAssigner: Sendable {
    public var posIoUThr: Float
    public var negIoUThr: Float
    public var minPosIoU: Float
    public var matchLowQuality: Bool
    public var gtMaxAssignAll: Bool

    public init(posIoUThr: Float, negIoUThr: Float, minPosIoU: Float = 0, matchLowQuality: Bool = true, gtMaxAssignAll: Bool = true) {
        self.posIoUThr = posIoUThr
        self.negIoUThr = negIoUThr
        self.minPosIoU = minPosIoU
        self.matchLowQuality = matchLowQuality
        self.gtMaxAssignAll = gtMaxAssignAll
    }

    /// Assigns from the IoU matrix `overlaps` (numGts x numBoxes, row-major).
    public func assign(overlaps: [Float], numGts: Int, numBoxes: Int, gtLabels: [Int]) -> AssignResult {
        checkInvariant(overlaps.count == numGts * numBoxes && gtLabels.count == numGts,
                     "MaxIoUAssigner: overlaps \(overlaps.count) for \(numGts) gts x \(numBoxes) boxes, \(gtLabels.count) labels")
        var inds = [Int](repeating: -1, count: numBoxes)
        var labels = [Int](repeating: -1, count: numBoxes)
        guard numGts > 0, numBoxes > 0 else {
            if numGts == 0 { inds = [Int](repeating: 0, count: numBoxes) }
            return AssignResult(numGts: numGts, gtIndices: inds, maxOverlaps: [Float](repeating: 0, count: numBoxes), labels: labels)
        }
        // Per box: max over gts and the first arg-max.
        var maxOv = [Float](repeating: -.infinity, count: numBoxes)
        var argmax = [Int](repeating: 0, count: numBoxes)
        for g in 0..<numGts {
            for b in 0..<numBoxes where overlaps[g * numBoxes + b] > maxOv[b] {
                maxOv[b] = overlaps[g * numBoxes + b]
                argmax[b] = g
            }
        }
        for b in 0..<numBoxes {
            if maxOv[b] >= 0 && maxOv[b] < negIoUThr { inds[b] = 0 }
            if maxOv[b] >= posIoUThr { inds[b] = argmax[b] + 1 }
        }
        if matchLowQuality {
            for g in 0..<numGts {
                let row = overlaps[(g * numBoxes)..<((g + 1) * numBoxes)]
                let best = row.max()!
                guard best >= minPosIoU else { continue }
                if gtMaxAssignAll {
                    for b in 0..<numBoxes where row[row.startIndex + b] == best { inds[b] = g + 1 }
                } else {
                    inds[row.firstIndex(of: best)! - row.startIndex] = g + 1
                }
            }
        }
        for b in 0..<numBoxes where inds[b] > 0 { labels[b] = gtLabels[inds[b] - 1] }
        return AssignResult(numGts: numGts, gtIndices: inds, maxOverlaps: maxOv, labels: labels)
    }
}

extension MaxIoUAssigner {
    /// mmdetection's `MaxIoUAssigner` config (ignore_iof_thr must stay -1: crowd boxes are
    /// handled as ignored instances before assignment).
    public init(config c: ConfigView) throws {
        try c.accept(["type", "pos_iou_thr", "neg_iou_thr", "min_pos_iou", "match_low_quality", "gt_max_assign_all",
                      "ignore_iof_thr", "ignore_wrt_candidates", "gpu_assign_thr", "iou_calculator"])
        if try c.double("ignore_iof_thr", default: -1) >= 0 { throw c.error("ignore_iof_thr", "only -1 (no crowd-ignore IoF) is supported") }
        if let calc = try c.optionalView("iou_calculator") { _ = try ModelRegistry.iouCalculators.build(calc) }
        self.init(posIoUThr: Float(try c.double("pos_iou_thr", in: 0...1)), negIoUThr: Float(try c.double("neg_iou_thr", in: 0...1)),
                  minPosIoU: Float(try c.double("min_pos_iou", default: 0, in: 0...1)),
                  matchLowQuality: try c.bool("match_low_quality", default: true),
                  gtMaxAssignAll: try c.bool("gt_max_assign_all", default: true))
    }
}
