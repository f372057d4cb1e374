import Dispatch
import Foundation

/// pycocotools' `accumulate`: for each category, area range and maxDets, the detections of
/// all images in one list sorted by score (stable: ties by image id, then file order), the
/// running true/false positives at each IoU threshold, precision made monotone from the end,
/// and precision sampled at the recall thresholds. -1 where a category has no non-ignored
/// ground truth for the setting.
struct Accumulator {
    let evaluation: CocoEvaluation

    private var inputs: EvalInputs { evaluation.inputs }
    private var params: CocoEvalParams { evaluation.params }

    func run() -> CocoAccumulation {
        let shape = CocoAccumulation.Shape(
            thresholds: params.iouThresholds.count, recalls: params.recallThresholds.count,
            categories: inputs.groups, areas: params.areaRanges.count, maxDetections: params.maxDetections.count)
        var precision = [Double](repeating: -1, count: shape.precisionCount)
        var recall = [Double](repeating: -1, count: shape.recallCount)
        precision.withUnsafeMutableBufferPointer { p in
            recall.withUnsafeMutableBufferPointer { r in
                let p = p, r = r
                DispatchQueue.concurrentPerform(iterations: inputs.groups) { k in
                    accumulate(category: k, shape: shape, precision: p, recall: r)
                }
            }
        }
        return CocoAccumulation(params: params, categoryIds: evaluation.categoryIds, shape: shape,
                                precision: precision, recall: recall)
    }

    private func accumulate(
        category k: Int, shape: CocoAccumulation.Shape,
        precision: UnsafeMutableBufferPointer<Double>, recall: UnsafeMutableBufferPointer<Double>
    ) {
        let npigs = params.areaRanges.map { regularGroundTruth(category: k, range: $0) }
        guard npigs.contains(where: { $0 > 0 }) else { return }
        let (order, ranks) = sortedDetections(category: k)
        let n = order.count, perDet = shape.areas * shape.thresholds
        // Outcomes in score order, one contiguous column per (area, threshold).
        var columns = [UInt8](repeating: 0, count: n * perDet)
        evaluation.outcomes.withUnsafeBufferPointer { all in
            columns.withUnsafeMutableBufferPointer { cols in
                for (position, d) in order.enumerated() {
                    for j in 0..<perDet { cols[j * n + position] = all[d * perDet + j] }
                }
            }
        }
        // Per maxDets (ascending), the positions of detections ranked below it in their image;
        // each list contains the previous one.
        let kept = params.maxDetections.map { maxDet in (0..<n).filter { ranks[$0] < maxDet } }
        var walker = Walker(capacity: n, recallThresholds: params.recallThresholds)
        columns.withUnsafeBufferPointer { cols in
            for (a, npig) in npigs.enumerated() where npig > 0 {
                for t in 0..<shape.thresholds {
                    // Largest maxDets first; a smaller one keeping the same detections copies it.
                    for m in (0..<shape.maxDetections).reversed() {
                        if m + 1 < shape.maxDetections, kept[m].count == kept[m + 1].count {
                            recall[shape.recallIndex(t: t, k: k, a: a, m: m)] = recall[shape.recallIndex(t: t, k: k, a: a, m: m + 1)]
                            for r in 0..<shape.recalls {
                                precision[shape.precisionIndex(t: t, r: r, k: k, a: a, m: m)] =
                                    precision[shape.precisionIndex(t: t, r: r, k: k, a: a, m: m + 1)]
                            }
                            continue
                        }
                        walker.walk(column: cols.baseAddress! + (a * shape.thresholds + t) * n, positions: kept[m], npig: npig)
                        recall[shape.recallIndex(t: t, k: k, a: a, m: m)] = walker.recall
                        for r in 0..<shape.recalls {
                            precision[shape.precisionIndex(t: t, r: r, k: k, a: a, m: m)] = walker.sampled[r]
                        }
                    }
                }
            }
        }
    }

    /// The category's detections (indices into the evaluation's arrays) over all images in
    /// image-id order, stably sorted by score (NaN last); with each one's rank in its image.
    private func sortedDetections(category k: Int) -> (order: [Int], ranks: [Int]) {
        let first = inputs.dtOffsets[k * inputs.imageCount], last = inputs.dtOffsets[(k + 1) * inputs.imageCount]
        var items = Array(first..<last)
        let scores = inputs.dtScores
        items.sort { x, y in
            let sx = scores[x], sy = scores[y]
            if sx > sy || (sy.isNaN && !sx.isNaN) { return true }
            if sx < sy || (sx.isNaN && !sy.isNaN) { return false }
            return x < y
        }
        var rankOf = [Int](repeating: 0, count: last - first)
        for i in 0..<inputs.imageCount {
            let b = k * inputs.imageCount + i
            for d in inputs.dtOffsets[b]..<inputs.dtOffsets[b + 1] { rankOf[d - first] = d - inputs.dtOffsets[b] }
        }
        return (items, items.map { rankOf[$0 - first] })
    }

    /// Ground truth of the category that is neither crowd nor outside the area range.
    private func regularGroundTruth(category k: Int, range: CocoEvalParams.AreaRange) -> Int {
        let first = inputs.gtOffsets[k * inputs.imageCount], last = inputs.gtOffsets[(k + 1) * inputs.imageCount]
        var count = 0
        for g in first..<last where !inputs.gtCrowd[g] && !range.excludes(inputs.gtAreas[g]) { count += 1 }
        return count
    }
}

/// The per-threshold part of `accumulate`, with its buffers.
struct Walker {
    let recallThresholds: [Double]
    private var rc: [Double]
    private var pr: [Double]
    private(set) var sampled: [Double]
    private(set) var recall: Double = 0

    init(capacity: Int, recallThresholds: [Double]) {
        self.recallThresholds = recallThresholds
        rc = [Double](repeating: 0, count: capacity)
        pr = [Double](repeating: 0, count: capacity)
        sampled = [Double](repeating: 0, count: recallThresholds.count)
    }

    /// One (area, threshold, maxDets) setting over the kept positions of an outcome column.
    /// Ignored detections are skipped: one repeats the previous precision and recall (or
    /// gives 0, 0 at the start), so leaving it out changes no sampled value.
    mutating func walk(column: UnsafePointer<UInt8>, positions: [Int], npig: Int) {
        let total = Double(npig)
        let n = rc.withUnsafeMutableBufferPointer { rc in
            pr.withUnsafeMutableBufferPointer { pr in
                var tp = 0.0, fp = 0.0, n = 0
                for position in positions {
                    let outcome = column[position]
                    if outcome == DetOutcome.ignored.rawValue { continue }
                    if outcome == DetOutcome.truePositive.rawValue { tp += 1 } else { fp += 1 }
                    rc[n] = tp / total
                    pr[n] = tp / (fp + tp + Double.ulpOfOne)
                    n += 1
                }
                var i = n - 1
                while i > 0 {
                    if pr[i] > pr[i - 1] { pr[i - 1] = pr[i] }
                    i -= 1
                }
                return n
            }
        }
        recall = n > 0 ? rc[n - 1] : 0
        for r in 0..<sampled.count { sampled[r] = 0 }
        for (r, threshold) in recallThresholds.enumerated() {
            let index = firstAtLeast(threshold, n: n)
            if index >= n { break }
            sampled[r] = pr[index]
        }
    }

    /// `np.searchsorted(rc, threshold, side='left')`.
    private func firstAtLeast(_ threshold: Double, n: Int) -> Int {
        var low = 0, high = n
        while low < high {
            let mid = (low + high) / 2
            if rc[mid] < threshold { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
