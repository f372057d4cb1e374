import Kernels
/// Union, intersection and IoU of run-length masks, with pycocotools' results (`rleMerge`,
/// `rleIou`), computed run by run without decoding.
extension RLE {
    /// The union (or, with `intersect`, the intersection) of masks of one size, as `rleMerge`:
    /// no masks give a 0x0 mask, one mask is returned as is, masks of different sizes give a
    /// 0x0 mask with no counts.
    public static func merge(_ masks: [RLE], intersect: Bool = false) -> RLE {
        guard let first = masks.first else { return RLE(height: 0, width: 0, counts: []) }
        if masks.count == 1 { return first }
        var counts = first.counts
        for other in masks.dropFirst() {
            guard other.height == first.height, other.width == first.width else {
                return RLE(height: 0, width: 0, counts: [])
            }
            counts = mergePair(counts, other.counts, intersect: intersect)
        }
        return RLE(height: first.height, width: first.width, counts: counts)
    }

    /// One step of `rleMerge`: walks both run lists together and closes a run whenever the
    /// combined value changes (and at the end).
    private static func mergePair(_ a: [UInt32], _ b: [UInt32], intersect: Bool) -> [UInt32] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        var out: [UInt32] = []
        out.reserveCapacity(a.count + b.count)
        var ca = a[0], cb = b[0]
        var va = false, vb = false, v = false
        var ia = 1, ib = 1
        var cc: UInt32 = 0
        var ct: UInt32 = 1
        while ct > 0 {
            let c = Swift.min(ca, cb)
            cc &+= c
            ct = 0
            ca -= c
            if ca == 0, ia < a.count { ca = a[ia]; ia += 1; va.toggle() }
            ct &+= ca
            cb -= c
            if cb == 0, ib < b.count { cb = b[ib]; ib += 1; vb.toggle() }
            ct &+= cb
            let previous = v
            v = intersect ? (va && vb) : (va || vb)
            // A list that ends first (counts not covering the image) would loop forever in C.
            let stuck = c == 0 && ((ca == 0 && ia >= a.count) || (cb == 0 && ib >= b.count)) && ct > 0
            if v != previous || ct == 0 || stuck {
                out.append(cc)
                cc = 0
            }
            if stuck { break }
        }
        return out
    }

    /// `maskUtils.iou` on masks: every detection against every ground truth, row-major D x G
    /// (`result[d * gts.count + g]`). Crowd ground truth: intersection / area(det). Masks of
    /// different sizes: -1 (where their boxes overlap at all).
    public static func iou(dets: [RLE], gts: [RLE], isCrowd: [Bool]) -> [Double] {
        checkInvariant(isCrowd.count == gts.count, "RLE.iou: \(isCrowd.count) crowd flags for \(gts.count) masks")
        let detBoxes = dets.map(\.boundingBox), gtBoxes = gts.map(\.boundingBox)
        var out = [Double](repeating: 0, count: dets.count * gts.count)
        for d in 0..<dets.count {
            for g in 0..<gts.count {
                out[d * gts.count + g] = dets[d].counts.withUnsafeBufferPointer { dc in
                    gts[g].counts.withUnsafeBufferPointer { gc in
                        iou(det: MaskView(counts: dc, height: dets[d].height, width: dets[d].width, box: detBoxes[d]),
                            gt: MaskView(counts: gc, height: gts[g].height, width: gts[g].width, box: gtBoxes[g]),
                            crowd: isCrowd[g])
                    }
                }
            }
        }
        return out
    }

    /// A mask borrowed for the IoU hot path: counts, size and its `boundingBox`.
    public struct MaskView {
        public var counts: UnsafeBufferPointer<UInt32>
        public var height: Int
        public var width: Int
        public var box: XYWH

        public init(counts: UnsafeBufferPointer<UInt32>, height: Int, width: Int, box: XYWH) {
            self.counts = counts; self.height = height; self.width = width; self.box = box
        }
    }

    /// `rleIou` for one pair: the box IoU of the masks' boxes first; only where it is positive,
    /// -1 for different sizes, else the exact pixel IoU (intersection / union, or / area(det)
    /// for a crowd ground truth; 0 without intersection).
    @inlinable
    public static func iou(det: MaskView, gt: MaskView, crowd: Bool) -> Double {
        let boxOverlap = BoxIoU.coco(det: det.box, gt: gt.box, crowd: crowd)
        guard boxOverlap > 0 else { return boxOverlap }
        guard det.height == gt.height, det.width == gt.width else { return -1 }
        let (inter, union) = intersectionAndUnion(det.counts, gt.counts)
        if inter == 0 { return 0 }
        let denominator = crowd ? foreground(det.counts) : union
        return Double(inter) / Double(denominator)
    }

    /// Pixels in both and in either mask (uint32, as `rleIou` counts them).
    @inlinable
    public static func intersectionAndUnion(
        _ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>
    ) -> (UInt32, UInt32) {
        guard !a.isEmpty, !b.isEmpty else { return (0, 0) }
        var ca = a[0], cb = b[0]
        var va = false, vb = false
        var ia = 1, ib = 1
        var inter: UInt32 = 0, union: UInt32 = 0
        while true {
            let c = Swift.min(ca, cb)
            if va || vb {
                union &+= c
                if va && vb { inter &+= c }
            }
            ca -= c
            if ca == 0, ia < a.count { ca = a[ia]; ia += 1; va.toggle() }
            cb -= c
            if cb == 0, ib < b.count { cb = b[ib]; ib += 1; vb.toggle() }
            if ca == 0 && cb == 0 { break }
            // Counts that do not cover the same number of pixels: C would spin forever.
            if c == 0 && ((ca == 0 && ia >= a.count) || (cb == 0 && ib >= b.count)) { break }
        }
        return (inter, union)
    }

    /// Sum of the odd-indexed counts of raw counts.
    @inlinable
    public static func foreground(_ counts: UnsafeBufferPointer<UInt32>) -> UInt32 {
        var sum: UInt32 = 0
        var j = 1
        while j < counts.count {
            sum &+= counts[j]
            j += 2
        }
        return sum
    }
}
