/// NMS applied independently per category (class or FPN level), as mmcv.ops.batched_nms with
/// class_agnostic false.
///
/// mmcv shifts every box by idx * (max coordinate + 1) (Float32, the maximum over all four
/// coordinates of all boxes) and runs one NMS on the shifted boxes; from `splitThreshold`
/// boxes on (mmcv's split_thr, 10000) it runs one NMS per idx value on the shifted boxes and
/// sorts the union of the kept boxes by score. Both give the kept indices in descending
/// score order (equal scores: lower index first).
///
/// Speed: when the shifted categories do not overlap along x (every coordinate > -1, as for
/// clipped boxes), no pair of different categories can ever suppress, and the single NMS
/// equals the per-category one; then each category is processed on its own (the cost is the
/// sum of squares of the category sizes, not the square of the total). Otherwise (boxes with
/// coordinates <= -1, which mmcv lets interact across categories) the single NMS runs as is.
public enum BatchedNMSKernel {
    /// boxes + idx * (max coordinate + 1) on all four coordinates (mmcv's boxes_for_nms).
    // boxes, out: (K, 4); idxs: (K)
    public static func offsetBoxes(
        _ boxes: UnsafePointer<Float>, idxs: UnsafePointer<Int>, count: Int, out: UnsafeMutablePointer<Float>
    ) {
        guard count > 0 else { return }
        var maxCoordinate = boxes[0]
        for i in 1..<(4 * count) where boxes[i] > maxCoordinate || boxes[i].isNaN { maxCoordinate = boxes[i] }
        let step = maxCoordinate + 1
        for k in 0..<count {
            let offset = Float(idxs[k]) * step
            for d in 0..<4 { out[4 * k + d] = boxes[4 * k + d] + offset }
        }
    }

    /// The kept indices in descending score order.
    // boxes: (K, 4) x1, y1, x2, y2; scores: (K); idxs: (K) category per box
    public static func keep(
        boxes: UnsafePointer<Float>, scores: UnsafePointer<Float>, idxs: UnsafePointer<Int>, count: Int,
        iouThreshold: Float, splitThreshold: Int = 10_000
    ) -> [Int] {
        guard count > 0 else { return [] }
        var shifted = [Float](repeating: 0, count: 4 * count)
        offsetBoxes(boxes, idxs: idxs, count: count, out: &shifted)
        let order = NMSKernel.scoreOrder(scores, count: count)
        // Each category's boxes in the global processing order.
        var groupOf: [Int: Int] = [:]
        var buckets: [[Int]] = []
        for i in order {
            if let g = groupOf[idxs[i]] {
                buckets[g].append(i)
            } else {
                groupOf[idxs[i]] = buckets.count
                buckets.append([i])
            }
        }
        return shifted.withUnsafeBufferPointer { sb in
            let s = sb.baseAddress!
            let independent = count >= splitThreshold
                || (iouThreshold >= 0 && separatedAlongX(s, buckets))
            if !independent || buckets.count == 1 {
                return NMSKernel.suppress(boxes: s, order: order, iouThreshold: iouThreshold)
            }
            var kept = [Bool](repeating: false, count: count)
            for bucket in buckets {
                for i in NMSKernel.suppress(boxes: s, order: bucket, iouThreshold: iouThreshold) { kept[i] = true }
            }
            return order.filter { kept[$0] }
        }
    }

    /// Whether the x extents [min x1, max x2] of the groups are pairwise disjoint (touching
    /// allowed): then every cross-group overlap width is clamped to 0 and its IoU is 0 or NaN.
    static func separatedAlongX(_ boxes: UnsafePointer<Float>, _ groups: [[Int]]) -> Bool {
        var extents: [(lo: Float, hi: Float)] = []
        for group in groups {
            var lo = Float.infinity, hi = -Float.infinity
            for i in group {
                let (x1, x2) = (boxes[4 * i], boxes[4 * i + 2])
                if x1.isNaN || x2.isNaN { return false }
                lo = min(lo, x1, x2)
                hi = max(hi, x1, x2)
            }
            extents.append((lo, hi))
        }
        extents.sort { $0.lo < $1.lo }
        var reach = -Float.infinity
        for e in extents {
            if e.lo < reach { return false }
            reach = max(reach, e.hi)
        }
        return true
    }
}
