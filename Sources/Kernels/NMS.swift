/// Non-maximum suppression as mmcv.ops.nms (its CPU kernel, offset 0) and
/// mmcv.ops.batched_nms compute it.
///
/// Boxes are processed in descending score order (equal scores: lower input index first); a
/// box that is still alive is kept and suppresses every later box whose IoU with it is
/// greater than the threshold (strict), with IoU = inter / ((area_i + area_j) - inter) in
/// Float32, area = (x2 - x1) * (y2 - y1) (no +1), overlap widths clamped at 0. Two zero-area
/// boxes give 0 / 0 = NaN, which never suppresses.
public enum NMSKernel {
    /// Indices 0..<count by descending score, equal scores by ascending index. NaN ranks above
    /// every number (as in torch's descending sort).
    // scores: (K)
    public static func scoreOrder(_ scores: UnsafePointer<Float>, count: Int) -> [Int] {
        (0..<count).sorted { a, b in
            let (sa, sb) = (scores[a], scores[b])
            if sa.isNaN || sb.isNaN { return sa.isNaN && (!sb.isNaN || a < b) }
            return sa > sb || (sa == sb && a < b)
        }
    }

    /// The kept indices, in descending score order.
    // boxes: (K, 4) x1, y1, x2, y2; scores: (K)
    public static func keep(
        boxes: UnsafePointer<Float>, scores: UnsafePointer<Float>, count: Int, iouThreshold: Float
    ) -> [Int] {
        suppress(boxes: boxes, order: scoreOrder(scores, count: count), iouThreshold: iouThreshold)
    }

    /// The core loop: visits the boxes in `order` (a list of input indices) and returns the
    /// kept ones in that order.
    // boxes: (K, 4); order: (M) indices into boxes
    public static func suppress(boxes: UnsafePointer<Float>, order: [Int], iouThreshold: Float) -> [Int] {
        let m = order.count
        if m == 0 { return [] }
        // Structure of arrays in processing order, so that the inner loop runs on contiguous
        // memory without branches (it vectorizes); `removed` is one byte per box.
        let soa = UnsafeMutablePointer<Float>.allocate(capacity: 5 * m)
        let removed = UnsafeMutablePointer<UInt8>.allocate(capacity: m)
        defer { soa.deallocate(); removed.deallocate() }
        let (x1, y1, x2, y2, area) = (soa, soa + m, soa + 2 * m, soa + 3 * m, soa + 4 * m)
        for (k, i) in order.enumerated() {
            let b = boxes + 4 * i
            (x1[k], y1[k], x2[k], y2[k]) = (b[0], b[1], b[2], b[3])
            area[k] = (b[2] - b[0]) * (b[3] - b[1])
        }
        removed.initialize(repeating: 0, count: m)
        var kept: [Int] = []
        for i in 0..<m where removed[i] == 0 {
            kept.append(order[i])
            let (ix1, iy1, ix2, iy2, iArea) = (x1[i], y1[i], x2[i], y2[i], area[i])
            for j in (i + 1)..<m {
                // std::max / std::min as mmcv's kernel writes them.
                let xx1 = ix1 < x1[j] ? x1[j] : ix1, yy1 = iy1 < y1[j] ? y1[j] : iy1
                let xx2 = x2[j] < ix2 ? x2[j] : ix2, yy2 = y2[j] < iy2 ? y2[j] : iy2
                let dw = xx2 - xx1, dh = yy2 - yy1
                let inter = (0 < dw ? dw : 0) * (0 < dh ? dh : 0)
                let iou = inter / ((iArea + area[j]) - inter)
                removed[j] |= iou > iouThreshold ? 1 : 0
            }
        }
        return kept
    }
}
