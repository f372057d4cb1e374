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
                    var walker = Walker(shape: shape, recallThresholds: params.recallThresholds)
                    accumulate(category: k, shape: shape, walker: &walker, precision: p, recall: r)
                }
            }
        }
        return CocoAccumulation(params: params, categoryIds: evaluation.categoryIds, shape: shape,
                                precision: precision, recall: recall)
    }

    private func accumulate(
        category k: Int, shape: CocoAccumulation.Shape, walker: inout Walker,
        precision: UnsafeMutableBufferPointer<Double>, recall: UnsafeMutableBufferPointer<Double>
    ) {
        let (order, ranks) = sortedDetections(category: k)
        let perDet = shape.areas * shape.thresholds
        // The outcomes of this category's detections, in score order.
        var local = [UInt8](repeating: 0, count: order.count * perDet)
        evaluation.outcomes.withUnsafeBufferPointer { all in
            for (position, d) in order.enumerated() {
                for j in 0..<perDet { local[position * perDet + j] = all[d * perDet + j] }
            }
        }
        for (a, range) in params.areaRanges.enumerated() {
            let npig = regularGroundTruth(category: k, range: range)
            if npig == 0 { continue }
            for (m, maxDet) in params.maxDetections.enumerated() {
                for t in 0..<shape.thresholds {
                    walker.walk(outcomes: local, stride: perDet, offset: a * shape.thresholds + t,
                                ranks: ranks, maxDet: maxDet, npig: npig)
                    recall[shape.recallIndex(t: t, k: k, a: a, m: m)] = walker.recall
                    for r in 0..<shape.recalls {
                        precision[shape.precisionIndex(t: t, r: r, k: k, a: a, m: m)] = walker.sampled[r]
                    }
                }
            }
        }
    }

    /// The category's detections (indices into the evaluation's arrays) over all images in
    /// image-id order, stably sorted by score (NaN last); with each one's rank in its image.
    private func sortedDetections(category k: Int) -> (order: [Int], ranks: [Int]) {
        var items: [Int] = []
        let first = inputs.dtOffsets[k * inputs.imageCount], last = inputs.dtOffsets[(k + 1) * inputs.imageCount]
        items.reserveCapacity(last - first)
        items.append(contentsOf: first..<last)
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
    var rc: [Double] = []
    var pr: [Double] = []
    var sampled: [Double]
    var recall: Double = 0

    init(shape: CocoAccumulation.Shape, recallThresholds: [Double]) {
        self.recallThresholds = recallThresholds
        sampled = [Double](repeating: 0, count: shape.recalls)
    }

    /// One (area, threshold, maxDets) setting: detections ranked `>= maxDet` in their image
    /// and ignored ones are skipped (an ignored detection repeats the previous precision and
    /// recall, so leaving it out changes no sampled value).
    mutating func walk(outcomes: [UInt8], stride: Int, offset: Int, ranks: [Int], maxDet: Int, npig: Int) {
        rc.removeAll(keepingCapacity: true)
        pr.removeAll(keepingCapacity: true)
        var tp = 0.0, fp = 0.0
        let total = Double(npig)
        for position in 0..<ranks.count where ranks[position] < maxDet {
            switch outcomes[position * stride + offset] {
            case DetOutcome.truePositive.rawValue: tp += 1
            case DetOutcome.falsePositive.rawValue: fp += 1
            default: continue
            }
            rc.append(tp / total)
            pr.append(tp / (fp + tp + Double.ulpOfOne))
        }
        let n = rc.count
        recall = n > 0 ? rc[n - 1] : 0
        var i = n - 1
        while i > 0 {
            if pr[i] > pr[i - 1] { pr[i - 1] = pr[i] }
            i -= 1
        }
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
