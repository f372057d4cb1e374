import Kernels

/// Box operations of the detectors that have no gradient: non-maximum suppression (mmcv.ops.nms
/// and batched_nms) and box IoU (mmdet's bbox_overlaps). Boxes are (K, 4) tensors of
/// (x1, y1, x2, y2) in pixels; results are plain index arrays or new tensors, never recorded.
public enum Detection {
    /// NMS as mmcv.ops.nms (offset 0): the indices of the kept boxes in descending score order
    /// (equal scores: lower index first). A box is suppressed by a kept, higher-scoring box
    /// when their IoU is greater than `iouThreshold` (strict); areas have no +1.
    /// boxes: (K, 4); scores: (K).
    public static func nms(boxes: Tensor, scores: Tensor, iouThreshold: Float) -> [Int] {
        checkBoxes("nms", boxes, scores)
        return NMSKernel.keep(boxes: boxes.ptr, scores: scores.ptr, count: scores.count, iouThreshold: iouThreshold)
    }

    /// NMS applied independently per category, as mmcv.ops.batched_nms: `idxs` holds each box's
    /// class (multiclass NMS of the box head) or FPN level (RPN proposals). Returns the kept
    /// indices in descending score order (equal scores: lower index first); callers truncate to
    /// their max_per_img / max_num. With `classAgnostic` it is plain `nms`.
    ///
    /// Not class-agnostic, mmcv shifts each box by idx * (max coordinate + 1) and runs one NMS;
    /// from `splitThreshold` boxes on (its split_thr) it runs one NMS per idx instead. Both are
    /// reproduced exactly, including mmcv's cross-category suppressions when boxes have
    /// coordinates <= -1 below `splitThreshold` (see `Kernels.BatchedNMSKernel`).
    /// boxes: (K, 4); scores: (K); idxs: K categories.
    public static func batchedNMS(
        boxes: Tensor, scores: Tensor, idxs: [Int], iouThreshold: Float,
        classAgnostic: Bool = false, splitThreshold: Int = 10_000
    ) -> [Int] {
        checkBoxes("batchedNMS", boxes, scores)
        checkInvariant(idxs.count == scores.count, "batchedNMS: \(idxs.count) idxs for \(scores.count) boxes")
        if classAgnostic { return nms(boxes: boxes, scores: scores, iouThreshold: iouThreshold) }
        return idxs.withUnsafeBufferPointer { ip in
            BatchedNMSKernel.keep(boxes: boxes.ptr, scores: scores.ptr, idxs: ip.baseAddress!, count: scores.count,
                            iouThreshold: iouThreshold, splitThreshold: splitThreshold)
        }
    }

    /// The boxes mmcv.ops.batched_nms suppresses among: boxes + idx * (max coordinate + 1).
    /// boxes: (K, 4); returns (K, 4).
    public static func batchedNMSBoxes(boxes: Tensor, idxs: [Int]) -> Tensor {
        checkInvariant(boxes.rank == 2 && boxes.shape[1] == 4 && idxs.count == boxes.shape[0],
                     "batchedNMSBoxes: boxes \(boxes.shape), \(idxs.count) idxs: expected (K, 4) and K idxs")
        let out = Tensor.zeros(boxes.shape)
        idxs.withUnsafeBufferPointer { ip in
            BatchedNMSKernel.offsetBoxes(boxes.ptr, idxs: ip.baseAddress!, count: idxs.count, out: out.ptr)
        }
        return out
    }

    /// Pairwise overlaps as mmdet's bbox_overlaps: IoU (or with `.iof` intersection over the
    /// area of the box from `a`), the denominator clamped below at `eps`, areas without +1.
    /// a: (N, 4); b: (M, 4); returns (N, M), never recorded.
    public static func boxIoU(_ a: Tensor, _ b: Tensor, mode: BoxOverlaps.Mode = .iou, eps: Float = 1e-6) -> Tensor {
        checkInvariant(a.rank == 2 && a.shape[1] == 4 && b.rank == 2 && b.shape[1] == 4,
                     "boxIoU: boxes \(a.shape) and \(b.shape): expected (N, 4) and (M, 4)")
        let out = Tensor(uninitialized: [a.shape[0], b.shape[0]])
        BoxOverlaps.pairwise(a.ptr, count: a.shape[0], b.ptr, count: b.shape[0], mode: mode, eps: eps, out: out.ptr)
        return out
    }

    /// Overlaps of matching rows (mmdet's is_aligned=True). a, b: (N, 4); returns (N).
    public static func alignedBoxIoU(_ a: Tensor, _ b: Tensor, mode: BoxOverlaps.Mode = .iou, eps: Float = 1e-6) -> Tensor {
        checkInvariant(a.rank == 2 && a.shape[1] == 4 && a.shape == b.shape,
                     "alignedBoxIoU: boxes \(a.shape) and \(b.shape): expected two (N, 4)")
        let out = Tensor(uninitialized: [a.shape[0]])
        BoxOverlaps.aligned(a.ptr, b.ptr, count: a.shape[0], mode: mode, eps: eps, out: out.ptr)
        return out
    }

    private static func checkBoxes(_ op: String, _ boxes: Tensor, _ scores: Tensor) {
        checkInvariant(boxes.rank == 2 && boxes.shape[1] == 4 && scores.rank == 1 && scores.count == boxes.shape[0],
                     "\(op): boxes \(boxes.shape), scores \(scores.shape): expected (K, 4) and (K)")
    }
}
