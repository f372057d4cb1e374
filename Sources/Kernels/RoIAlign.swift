/// RoIAlign with average pooling, as mmcv.ops.roi_align (its CPU kernel) computes it: He et
/// al., "Mask R-CNN" (2017), with the half-pixel `aligned` correction of Detectron2.
///
/// Per RoI (batch, x1, y1, x2, y2) in image pixels: start = x1 * scale - offset and
/// end = x2 * scale - offset, with offset 0.5 when aligned and 0 otherwise; size = end - start
/// (at least 1 when not aligned; it must not be negative when aligned). Each of the out bins
/// is sampled on a grid of samplingRatio points per axis, or ceil(size / out) when samplingRatio
/// is 0, at start + bin * ph + (iy + 0.5) * bin / grid, and averaged. A sample outside
/// [-1, H] x [-1, W] contributes 0; a coordinate <= 0 is clamped to 0; at or beyond the last
/// row (column) both bilinear taps are that row. An empty grid gives 0.
///
/// The bilinear weights are separable, so a `RoIAlignPlan` keeps one table of samples per
/// axis and RoI, shared by every channel and by forward and backward.
public enum RoIAlignKernel {
    /// Forward pass: every output element is written. Parallel over channels x RoIs, channel
    /// major: a thread pools every RoI from one feature plane before moving to the next, so
    /// the plane stays in cache (RoI-major order reads a different plane for every output).
    // x: (N, C, H, W); out: (R, C, outH, outW)
    public static func forward(
        _ x: UnsafePointer<Float>, _ plan: RoIAlignPlan, out: UnsafeMutablePointer<Float>
    ) {
        let (c, r) = (plan.channels, plan.rois.count), binCount = plan.outH * plan.outW
        plan.withTables { ys, xs in
            Parallel.forRange(c * r, cost: binCount * plan.meanSamplesPerBin * 4) { items in
                for item in items {
                    let (ch, k) = item.quotientAndRemainder(dividingBy: r)
                    let roi = plan.rois[k]
                    let plane = x + (roi.batch * c + ch) * plan.height * plan.width
                    pool(plane, roi, plan, ys, xs, out: out + (k * c + ch) * binCount)
                }
            }
        }
    }

    /// Backward pass: gradX (overwritten) receives each output gradient / count times the
    /// bilinear weights of its samples. Parallel over channels: different channels never
    /// write the same plane, so there are no races; within a plane the order is mmcv's.
    // gradOut: (R, C, outH, outW); gradX: (N, C, H, W)
    public static func backward(
        gradOut: UnsafePointer<Float>, _ plan: RoIAlignPlan, gradX: UnsafeMutablePointer<Float>
    ) {
        let c = plan.channels, planeSize = plan.height * plan.width, binCount = plan.outH * plan.outW
        plan.withTables { ys, xs in
            let cost = (plan.rois.count * binCount * plan.meanSamplesPerBin * 4) + plan.batch * planeSize
            Parallel.forRange(c, cost: cost) { channels in
                for ch in channels {
                    for b in 0..<plan.batch {
                        (gradX + (b * c + ch) * planeSize).update(repeating: 0, count: planeSize)
                    }
                    for (r, roi) in plan.rois.enumerated() {
                        let plane = gradX + (roi.batch * c + ch) * planeSize
                        scatter(gradOut + (r * c + ch) * binCount, roi, plan, ys, xs, gradPlane: plane)
                    }
                }
            }
        }
    }

    /// The outH x outW averages of one RoI over one feature plane.
    @inline(__always)
    static func pool(
        _ plane: UnsafePointer<Float>, _ roi: RoIAlignPlan.RoI, _ plan: RoIAlignPlan,
        _ ys: UnsafePointer<AxisSample>, _ xs: UnsafePointer<AxisSample>, out: UnsafeMutablePointer<Float>
    ) {
        let w = plan.width
        for ph in 0..<plan.outH {
            let rowSamples = ys + roi.yTable + ph * roi.gridH
            for pw in 0..<plan.outW {
                let colSamples = xs + roi.xTable + pw * roi.gridW
                var sum: Float = 0
                for iy in 0..<roi.gridH {
                    let sy = rowSamples[iy]
                    if sy.low < 0 { continue }
                    let rowLow = plane + Int(sy.low) * w, rowHigh = plane + Int(sy.high) * w
                    for ix in 0..<roi.gridW {
                        let sx = colSamples[ix]
                        if sx.low < 0 { continue }
                        let (xl, xh) = (Int(sx.low), Int(sx.high))
                        // mmcv's order: w1 v1 + w2 v2 + w3 v3 + w4 v4, each weight one product.
                        let v = sy.rest * sx.rest * rowLow[xl] + sy.rest * sx.frac * rowLow[xh]
                            + sy.frac * sx.rest * rowHigh[xl] + sy.frac * sx.frac * rowHigh[xh]
                        sum += v
                    }
                }
                out[ph * plan.outW + pw] = sum / roi.count
            }
        }
    }

    /// Adds one RoI's outH x outW gradients into one gradient plane.
    @inline(__always)
    static func scatter(
        _ gradOut: UnsafePointer<Float>, _ roi: RoIAlignPlan.RoI, _ plan: RoIAlignPlan,
        _ ys: UnsafePointer<AxisSample>, _ xs: UnsafePointer<AxisSample>, gradPlane: UnsafeMutablePointer<Float>
    ) {
        let w = plan.width
        for ph in 0..<plan.outH {
            let rowSamples = ys + roi.yTable + ph * roi.gridH
            for pw in 0..<plan.outW {
                let colSamples = xs + roi.xTable + pw * roi.gridW
                let g = gradOut[ph * plan.outW + pw]
                // mmcv divides each g * w by count; times the reciprocal is the same for the
                // usual power-of-two counts and within an ulp otherwise (4 fewer divisions).
                let inv = 1 / roi.count
                for iy in 0..<roi.gridH {
                    let sy = rowSamples[iy]
                    if sy.low < 0 { continue }
                    let rowLow = gradPlane + Int(sy.low) * w, rowHigh = gradPlane + Int(sy.high) * w
                    for ix in 0..<roi.gridW {
                        let sx = colSamples[ix]
                        if sx.low < 0 { continue }
                        let (xl, xh) = (Int(sx.low), Int(sx.high))
                        rowLow[xl] += g * (sy.rest * sx.rest) * inv
                        rowLow[xh] += g * (sy.rest * sx.frac) * inv
                        rowHigh[xl] += g * (sy.frac * sx.rest) * inv
                        rowHigh[xh] += g * (sy.frac * sx.frac) * inv
                    }
                }
            }
        }
    }
}

/// One bilinear sample along one axis: the two taps and their weights (frac for `high`,
/// rest = 1 - frac for `low`). `low` is -1 for a sample outside [-1, size], which contributes
/// nothing.
public struct AxisSample: Sendable {
    public var low: Int32
    public var high: Int32
    public var frac: Float
    public var rest: Float

    static let outside = AxisSample(low: -1, high: -1, frac: 0, rest: 0)

    /// mmcv's bilinear rule along one axis of length `size` for sample coordinate `position`.
    init(position: Float, size: Int) {
        if position < -1 || position > Float(size) {
            self = .outside
            return
        }
        var p = position <= 0 ? 0 : position
        var lo = Int(p), hi = lo + 1
        if lo >= size - 1 {
            lo = size - 1
            hi = lo
            p = Float(lo)
        }
        let frac = p - Float(lo)
        self.init(low: Int32(lo), high: Int32(hi), frac: frac, rest: 1 - frac)
    }

    init(low: Int32, high: Int32, frac: Float, rest: Float) {
        (self.low, self.high, self.frac, self.rest) = (low, high, frac, rest)
    }
}
