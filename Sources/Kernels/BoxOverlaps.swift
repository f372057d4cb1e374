/// Box overlaps as mmdet's bbox_overlaps (the IoU of MaxIoUAssigner): boxes are (x1, y1, x2,
/// y2) in pixels, area = (x2 - x1) * (y2 - y1) (no +1), the overlap's width and height are
/// clamped at 0, and the denominator is clamped below at `eps` (1e-6 in mmdet):
/// iou = overlap / max((area_a + area_b) - overlap, eps); iof = overlap / max(area_a, eps).
public enum BoxOverlaps {
    /// Which denominator: the union (intersection over union) or the first box's area
    /// (intersection over foreground, used for crowd-ignore regions).
    public enum Mode: Sendable { case iou, iof }

    /// Every pair: out[i, j] = overlap of a[i] and b[j]. Parallel over (row, column block).
    // a: (N, 4); b: (M, 4); out: (N, M)
    public static func pairwise(
        _ a: UnsafePointer<Float>, count n: Int, _ b: UnsafePointer<Float>, count m: Int,
        mode: Mode = .iou, eps: Float = 1e-6, out: UnsafeMutablePointer<Float>
    ) {
        guard n > 0, m > 0 else { return }
        let block = 1024, blocks = (m + block - 1) / block
        Parallel.forRange(n * blocks, cost: min(m, block) * 8) { units in
            for u in units {
                let i = u / blocks, lo = (u % blocks) * block
                row(a + 4 * i, b, columns: lo..<min(lo + block, m), mode: mode, eps: eps, out: out + i * m)
            }
        }
    }

    /// Matching pairs: out[i] = overlap of a[i] and b[i] (mmdet's is_aligned=True).
    // a, b: (N, 4); out: (N)
    public static func aligned(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int,
        mode: Mode = .iou, eps: Float = 1e-6, out: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<n {
            out[i] = overlap(a + 4 * i, b + 4 * i, mode: mode, eps: eps)
        }
    }

    /// One box against columns of b.
    @inline(__always)
    static func row(
        _ box: UnsafePointer<Float>, _ b: UnsafePointer<Float>, columns: Range<Int>,
        mode: Mode, eps: Float, out: UnsafeMutablePointer<Float>
    ) {
        for j in columns { out[j] = overlap(box, b + 4 * j, mode: mode, eps: eps) }
    }

    @inline(__always)
    static func overlap(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, mode: Mode, eps: Float) -> Float {
        let areaP = (p[2] - p[0]) * (p[3] - p[1])
        let areaQ = (q[2] - q[0]) * (q[3] - q[1])
        // torch.max / torch.min of the corners, then clamp(min: 0) of the extents.
        let w = (p[2] < q[2] ? p[2] : q[2]) - (p[0] > q[0] ? p[0] : q[0])
        let h = (p[3] < q[3] ? p[3] : q[3]) - (p[1] > q[1] ? p[1] : q[1])
        let inter = (w < 0 ? 0 : w) * (h < 0 ? 0 : h)
        let denominator = mode == .iou ? (areaP + areaQ) - inter : areaP
        return inter / (denominator < eps ? eps : denominator)
    }
}
