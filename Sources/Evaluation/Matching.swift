import Dispatch
import Foundation
import Structures

/// Outcome of one detection at one (area range, IoU threshold): what `accumulate` counts.
enum DetOutcome: UInt8 {
    /// Matched to an ignored ground truth, or unmatched and outside the area range.
    case ignored = 0
    case truePositive = 1
    case falsePositive = 2
}

/// pycocotools' `computeIoU` + `evaluateImg` for every (category, image) bucket: the IoU
/// matrix once per bucket, then for each area range the greedy matching at each threshold.
/// The result is one `DetOutcome` per (detection, area range, threshold), laid out
/// `[detection][area][threshold]`.
struct Matching {
    let inputs: EvalInputs
    let thresholds: [Double]
    let areas: [CocoEvalParams.AreaRange]
    let segm: Bool

    func run() -> [UInt8] {
        let perDet = areas.count * thresholds.count
        var outcomes = [UInt8](repeating: 0, count: inputs.dtScores.count * perDet)
        let buckets = inputs.bucketCount
        let chunks = max(1, min(buckets / 64, ProcessInfo.processInfo.activeProcessorCount * 16))
        let per = (buckets + chunks - 1) / chunks
        let gtCounts = inputs.gtMasks?.counts ?? [], dtCounts = inputs.dtMasks?.counts ?? []
        outcomes.withUnsafeMutableBufferPointer { out in
            gtCounts.withUnsafeBufferPointer { gtBase in
                dtCounts.withUnsafeBufferPointer { dtBase in
                    let out = out, gtBase = gtBase, dtBase = dtBase
                    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                        var scratch = Scratch()
                        for b in (chunk * per)..<min(buckets, chunk * per + per) {
                            evaluate(bucket: b, scratch: &scratch, out: out, gtBase: gtBase.baseAddress, dtBase: dtBase.baseAddress)
                        }
                    }
                }
            }
        }
        return outcomes
    }

    /// Buffers reused across buckets.
    struct Scratch {
        var ious: [Double] = []
        var order: [Int] = []
        var ignored: [Bool] = []
        var taken: [Bool] = []
    }

    private func evaluate(
        bucket b: Int, scratch: inout Scratch, out: UnsafeMutableBufferPointer<UInt8>,
        gtBase: UnsafePointer<UInt32>?, dtBase: UnsafePointer<UInt32>?
    ) {
        let d0 = inputs.dtOffsets[b], dCount = inputs.dtOffsets[b + 1] - d0
        guard dCount > 0 else { return }
        let g0 = inputs.gtOffsets[b], gCount = inputs.gtOffsets[b + 1] - g0
        let tCount = thresholds.count, perDet = areas.count * tCount
        if gCount == 0 {
            for d in 0..<dCount {
                for (a, range) in areas.enumerated() {
                    let outcome: DetOutcome = range.excludes(inputs.dtAreas[d0 + d]) ? .ignored : .falsePositive
                    for t in 0..<tCount { out[(d0 + d) * perDet + a * tCount + t] = outcome.rawValue }
                }
            }
            return
        }
        fillIoUs(d0: d0, dCount: dCount, g0: g0, gCount: gCount, into: &scratch.ious, gtBase: gtBase, dtBase: dtBase)
        for (a, range) in areas.enumerated() {
            sortGroundTruth(g0: g0, gCount: gCount, range: range, scratch: &scratch)
            for (t, threshold) in thresholds.enumerated() {
                match(d0: d0, dCount: dCount, g0: g0, gCount: gCount, threshold: threshold, range: range,
                      scratch: &scratch) { d, outcome in
                    out[(d0 + d) * perDet + a * tCount + t] = outcome.rawValue
                }
            }
        }
    }

    /// D x G IoUs, detections in score order, ground truth in file order.
    private func fillIoUs(
        d0: Int, dCount: Int, g0: Int, gCount: Int, into ious: inout [Double],
        gtBase: UnsafePointer<UInt32>?, dtBase: UnsafePointer<UInt32>?
    ) {
        if ious.count < dCount * gCount { ious = [Double](repeating: 0, count: dCount * gCount) }
        ious.withUnsafeMutableBufferPointer { o in
            if segm, let gtMasks = inputs.gtMasks, let dtMasks = inputs.dtMasks {
                for g in 0..<gCount {
                    let gt = gtMasks.view(g0 + g, base: gtBase!)
                    let crowd = inputs.gtCrowd[g0 + g]
                    for d in 0..<dCount {
                        o[d * gCount + g] = RLE.iou(det: dtMasks.view(d0 + d, base: dtBase!), gt: gt, crowd: crowd)
                    }
                }
            } else {
                for g in 0..<gCount {
                    let gt = inputs.gtBoxes[g0 + g], crowd = inputs.gtCrowd[g0 + g]
                    for d in 0..<dCount {
                        o[d * gCount + g] = BoxIoU.coco(det: inputs.dtBoxes[d0 + d], gt: gt, crowd: crowd)
                    }
                }
            }
        }
    }

    /// `_ignore` = crowd or area outside the range; order: not ignored first, stable.
    private func sortGroundTruth(g0: Int, gCount: Int, range: CocoEvalParams.AreaRange, scratch: inout Scratch) {
        scratch.ignored.removeAll(keepingCapacity: true)
        scratch.order.removeAll(keepingCapacity: true)
        for g in 0..<gCount {
            scratch.ignored.append(inputs.gtCrowd[g0 + g] || range.excludes(inputs.gtAreas[g0 + g]))
        }
        for g in 0..<gCount where !scratch.ignored[g] { scratch.order.append(g) }
        for g in 0..<gCount where scratch.ignored[g] { scratch.order.append(g) }
    }

    /// The greedy matching of `evaluateImg` at one threshold: detections in score order take
    /// the best remaining ground truth with IoU >= threshold (later one on ties); a crowd
    /// ground truth can take any number; a match with a regular ground truth is never traded
    /// for an ignored one.
    private func match(
        d0: Int, dCount: Int, g0: Int, gCount: Int, threshold: Double, range: CocoEvalParams.AreaRange,
        scratch: inout Scratch, emit: (Int, DetOutcome) -> Void
    ) {
        scratch.taken.removeAll(keepingCapacity: true)
        scratch.taken.append(contentsOf: repeatElement(false, count: gCount))
        let start = Swift.min(threshold, 1 - 1e-10)
        for d in 0..<dCount {
            var best = start
            var m = -1
            for position in 0..<gCount {
                let g = scratch.order[position]
                if scratch.taken[position] && !inputs.gtCrowd[g0 + g] { continue }
                if m > -1 && !scratch.ignored[scratch.order[m]] && scratch.ignored[g] { break }
                let iou = scratch.ious[d * gCount + g]
                if iou < best { continue }
                best = iou
                m = position
            }
            if m == -1 {
                emit(d, range.excludes(inputs.dtAreas[d0 + d]) ? .ignored : .falsePositive)
                continue
            }
            let g = scratch.order[m]
            scratch.taken[m] = true
            let matched = inputs.gtIds[g0 + g] != 0
            let ignored = scratch.ignored[g] || (!matched && range.excludes(inputs.dtAreas[d0 + d]))
            emit(d, ignored ? .ignored : (matched ? .truePositive : .falsePositive))
        }
    }
}
