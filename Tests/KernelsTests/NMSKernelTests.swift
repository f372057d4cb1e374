import Kernels
import Testing

/// NMS and batched NMS against direct transcriptions of mmcv's loops, on random boxes with
/// many overlaps and tied scores, and batched NMS's per-category shortcut against the single
/// NMS on offset boxes that mmcv runs.
@Suite struct NMSKernelTests {
    /// Random boxes in [lo, lo + 200) with sizes 4..60; scores quantized to force ties.
    static func boxes(_ count: Int, seed: UInt64, lo: Float = 0) -> (boxes: [Float], scores: [Float]) {
        var rng = SeededGenerator(seed: seed)
        var boxes: [Float] = [], scores: [Float] = []
        for _ in 0..<count {
            let x = lo + rng.nextUniform() * 200, y = lo + rng.nextUniform() * 200
            boxes += [x, y, x + 4 + rng.nextUniform() * 56, y + 4 + rng.nextUniform() * 56]
            scores.append(Float(Int(rng.nextUniform() * 50)) / 50)
        }
        return (boxes, scores)
    }

    /// mmcv's nms_cpu as written: stable descending order, `continue` on suppressed boxes.
    static func directNMS(_ boxes: [Float], _ scores: [Float], _ threshold: Float) -> [Int] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        var alive = [Bool](repeating: true, count: order.count)
        var keep: [Int] = []
        for a in order.indices where alive[a] {
            let i = order[a]
            keep.append(i)
            for b in (a + 1)..<order.count where alive[b] {
                let j = order[b]
                let ai = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1])
                let aj = (boxes[4 * j + 2] - boxes[4 * j]) * (boxes[4 * j + 3] - boxes[4 * j + 1])
                let w = max(0, min(boxes[4 * i + 2], boxes[4 * j + 2]) - max(boxes[4 * i], boxes[4 * j]))
                let h = max(0, min(boxes[4 * i + 3], boxes[4 * j + 3]) - max(boxes[4 * i + 1], boxes[4 * j + 1]))
                if w * h / ((ai + aj) - w * h) > threshold { alive[b] = false }
            }
        }
        return keep
    }

    @Test(arguments: [Float(0.3), 0.5, 0.7])
    func nmsMatchesDirectLoop(threshold: Float) {
        let (boxes, scores) = Self.boxes(700, seed: 11)
        let keep = NMSKernel.keep(boxes: boxes, scores: scores, count: scores.count, iouThreshold: threshold)
        #expect(keep == Self.directNMS(boxes, scores, threshold))
        #expect(keep.count > 50 && keep.count < 700)
    }

    /// Clipped-like boxes (the per-category path) and boxes with coordinates below -1 (mmcv's
    /// single NMS on offset boxes, cross-category suppressions included) both equal the
    /// single NMS on the offset boxes; above the split threshold, one NMS per category.
    @Test(arguments: [Float(0), -150])
    func batchedMatchesSingleNMSOnOffsetBoxes(lo: Float) {
        let (boxes, scores) = Self.boxes(900, seed: 12, lo: lo)
        var rng = SeededGenerator(seed: 13)
        let idxs = (0..<900).map { _ in Int(rng.nextUniform() * 5) }
        var shifted = [Float](repeating: 0, count: boxes.count)
        BatchedNMSKernel.offsetBoxes(boxes, idxs: idxs, count: 900, out: &shifted)
        let keep = BatchedNMSKernel.keep(boxes: boxes, scores: scores, idxs: idxs, count: 900, iouThreshold: 0.5)
        #expect(keep == Self.directNMS(shifted, scores, 0.5))
        // Split path: per category on the offset boxes, merged by score.
        var perCategory: Set<Int> = []
        for category in 0..<5 {
            let members = idxs.indices.filter { idxs[$0] == category }
            let sub = members.flatMap { shifted[(4 * $0)..<(4 * $0 + 4)] }
            for k in Self.directNMS(sub, members.map { scores[$0] }, 0.5) { perCategory.insert(members[k]) }
        }
        let split = BatchedNMSKernel.keep(boxes: boxes, scores: scores, idxs: idxs, count: 900, iouThreshold: 0.5, splitThreshold: 900)
        #expect(split == NMSKernel.scoreOrder(scores, count: 900).filter { perCategory.contains($0) })
        if lo == 0 { #expect(split == keep) }
    }
}
