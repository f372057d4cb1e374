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
                        let scratch = Scratch()
                        for b in (chunk * per)..<min(buckets, chunk * per + per) {
                            evaluate(bucket: b, scratch: scratch, out: out, gtBase: gtBase.baseAddress, dtBase: dtBase.baseAddress)
                        }
                    }
                }
            }
        }
        return outcomes
    }

    /// Buffers reused across buckets (grown, never shrunk; no allocation per bucket).
    final class Scratch {
        private(set) var ious = UnsafeMutableBufferPointer<Double>.allocate(capacity: 0)
        private(set) var order = UnsafeMutableBufferPointer<Int>.allocate(capacity: 0)
        private(set) var ignored = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 0)
        private(set) var taken = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 0)

        /// Room for `dets x gts` IoUs and `gts` ground truth.
        func reserve(dets: Int, gts: Int) {
            if ious.count < dets * gts {
                ious.deallocate()
                ious = .allocate(capacity: max(dets * gts, 2 * ious.count))
            }
            if order.count < gts {
                order.deallocate(); ignored.deallocate(); taken.deallocate()
                let n = max(gts, 2 * order.count)
                order = .allocate(capacity: n)
                ignored = .allocate(capacity: n)
                taken = .allocate(capacity: n)
            }
        }

        deinit {
            ious.deallocate(); order.deallocate(); ignored.deallocate(); taken.deallocate()
        }
    }

    private func evaluate(
        bucket b: Int, scratch: Scratch, out: UnsafeMutableBufferPointer<UInt8>,
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
        scratch.reserve(dets: dCount, gts: gCount)
        fillIoUs(d0: d0, dCount: dCount, g0: g0, gCount: gCount, into: scratch.ious, gtBase: gtBase, dtBase: dtBase)
        inputs.gtCrowd.withUnsafeBufferPointer { crowd in
            inputs.gtIds.withUnsafeBufferPointer { ids in
                inputs.dtAreas.withUnsafeBufferPointer { dtAreas in
                    let bucket = Bucket(
                        dCount: dCount, gCount: gCount, ious: scratch.ious.baseAddress!, order: scratch.order.baseAddress!,
                        ignored: scratch.ignored.baseAddress!, taken: scratch.taken.baseAddress!,
                        crowd: crowd.baseAddress! + g0, ids: ids.baseAddress! + g0, dtAreas: dtAreas.baseAddress! + d0)
                    for (a, range) in areas.enumerated() {
                        sortGroundTruth(bucket, range: range, areas: inputs.gtAreas, g0: g0)
                        for (t, threshold) in thresholds.enumerated() {
                            let column = out.baseAddress! + d0 * perDet + a * tCount + t
                            match(bucket, threshold: threshold, range: range, out: column, stride: perDet)
                        }
                    }
                }
            }
        }
    }

    /// One bucket's buffers: IoUs D x G (file order of the ground truth), the ground truth's
    /// order and flags for one area range, and its crowd flags, ids and the detections' areas.
    struct Bucket {
        let dCount: Int, gCount: Int
        let ious: UnsafeMutablePointer<Double>
        let order: UnsafeMutablePointer<Int>
        let ignored: UnsafeMutablePointer<Bool>
        let taken: UnsafeMutablePointer<Bool>
        let crowd: UnsafePointer<Bool>
        let ids: UnsafePointer<Int>
        let dtAreas: UnsafePointer<Double>
    }

    /// D x G IoUs, detections in score order, ground truth in file order.
    private func fillIoUs(
        d0: Int, dCount: Int, g0: Int, gCount: Int, into o: UnsafeMutableBufferPointer<Double>,
        gtBase: UnsafePointer<UInt32>?, dtBase: UnsafePointer<UInt32>?
    ) {
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

    /// `_ignore` = crowd or area outside the range; order: not ignored first, stable.
    private func sortGroundTruth(_ b: Bucket, range: CocoEvalParams.AreaRange, areas: [Double], g0: Int) {
        var next = 0
        for g in 0..<b.gCount {
            b.ignored[g] = b.crowd[g] || range.excludes(areas[g0 + g])
            if !b.ignored[g] { b.order[next] = g; next += 1 }
        }
        for g in 0..<b.gCount where b.ignored[g] {
            b.order[next] = g
            next += 1
        }
    }

    /// The greedy matching of `evaluateImg` at one threshold: detections in score order take
    /// the best remaining ground truth with IoU >= threshold (later one on ties); a crowd
    /// ground truth can take any number; a match with a regular ground truth is never traded
    /// for an ignored one. Writes each detection's outcome to `out[d * stride]`.
    private func match(
        _ b: Bucket, threshold: Double, range: CocoEvalParams.AreaRange, out: UnsafeMutablePointer<UInt8>, stride: Int
    ) {
        b.taken.update(repeating: false, count: b.gCount)
        let start = Swift.min(threshold, 1 - 1e-10)
        for d in 0..<b.dCount {
            var best = start
            var m = -1
            let row = b.ious + d * b.gCount
            for position in 0..<b.gCount {
                let g = b.order[position]
                if b.taken[position] && !b.crowd[g] { continue }
                if m > -1 && !b.ignored[b.order[m]] && b.ignored[g] { break }
                let iou = row[g]
                if iou < best { continue }
                best = iou
                m = position
            }
            let outcome: DetOutcome
            if m == -1 {
                outcome = range.excludes(b.dtAreas[d]) ? .ignored : .falsePositive
            } else {
                let g = b.order[m]
                b.taken[m] = true
                let matched = b.ids[g] != 0
                let ignored = b.ignored[g] || (!matched && range.excludes(b.dtAreas[d]))
                outcome = ignored ? .ignored : (matched ? .truePositive : .falsePositive)
            }
            out[d * stride] = outcome.rawValue
        }
    }
}
