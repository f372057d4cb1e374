import Kernels
/// A box as COCO stores it: top-left corner, width and height, in pixels (float64 as parsed).
public struct XYWH: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public var w: Double
    public var h: Double

    public init(_ x: Double, _ y: Double, _ w: Double, _ h: Double) {
        self.x = x; self.y = y; self.w = w; self.h = h
    }

    /// The box from a 4-number array `[x, y, w, h]`; nil for any other length.
    public init?(_ values: [Double]) {
        guard values.count == 4 else { return nil }
        self.init(values[0], values[1], values[2], values[3])
    }

    /// `w * h`, the area pycocotools' `loadRes` gives a box result (no clamping of negatives).
    public var area: Double { w * h }
    public var xyxy: XYXY { XYXY(x, y, x + w, y + h) }
    public var array: [Double] { [x, y, w, h] }
}

/// A box as corners `(x1, y1)`-`(x2, y2)`, mmdetection's internal layout (no +1 on widths).
public struct XYXY: Hashable, Sendable {
    public var x1: Double
    public var y1: Double
    public var x2: Double
    public var y2: Double

    public init(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) {
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
    }

    public var xywh: XYWH { XYWH(x1, y1, x2 - x1, y2 - y1) }
    public var area: Double { (x2 - x1) * (y2 - y1) }
}

/// Box overlaps.
public enum BoxIoU {
    /// pycocotools' `bbIou` for one pair, with its exact order of operations (the last bit
    /// decides matches at the thresholds): `iw = min(dx+dw, gx+gw) - max(dx, gx)`, 0 unless
    /// both `iw` and `ih` are positive, `union = (area_d + area_g) - inter`, or `area_d` for a
    /// crowd ground truth.
    @inlinable
    public static func coco(det d: XYWH, gt g: XYWH, crowd: Bool) -> Double {
        let iw = Double.minimum(d.w + d.x, g.w + g.x) - Double.maximum(d.x, g.x)
        if iw <= 0 { return 0 }
        let ih = Double.minimum(d.h + d.y, g.h + g.y) - Double.maximum(d.y, g.y)
        if ih <= 0 { return 0 }
        let inter = iw * ih
        let detArea = d.w * d.h
        let union = crowd ? detArea : detArea + g.w * g.h - inter
        return inter / union
    }

    /// `maskUtils.iou` on boxes: every detection against every ground truth, row-major D x G
    /// (`result[d * gts.count + g]`).
    public static func coco(dets: [XYWH], gts: [XYWH], isCrowd: [Bool]) -> [Double] {
        checkInvariant(isCrowd.count == gts.count, "BoxIoU.coco: \(isCrowd.count) crowd flags for \(gts.count) boxes")
        var out = [Double](repeating: 0, count: dets.count * gts.count)
        for d in 0..<dets.count {
            for g in 0..<gts.count {
                out[d * gts.count + g] = coco(det: dets[d], gt: gts[g], crowd: isCrowd[g])
            }
        }
        return out
    }

    /// Plain IoU of two corner boxes (`(x2 - x1) * (y2 - y1)` areas); 0 when the union is empty.
    public static func iou(_ a: XYXY, _ b: XYXY) -> Double {
        let iw = Double.minimum(a.x2, b.x2) - Double.maximum(a.x1, b.x1)
        let ih = Double.minimum(a.y2, b.y2) - Double.maximum(a.y1, b.y1)
        guard iw > 0, ih > 0 else { return 0 }
        let inter = iw * ih
        let union = a.area + b.area - inter
        return union > 0 ? inter / union : 0
    }
}
