import Autograd
import Config
import Foundation
import Kernels

/// mmdetection's `DeltaXYWHBBoxCoder` (the R-CNN box parameterisation of Girshick et al.):
/// encode (dx, dy, dw, dh) = ((gx - px) / pw, (gy - py) / ph, log(gw / pw), log(gh / ph)),
/// normalised by means and stds; decode the inverse with dw, dh clamped to |log(16/1000)| and
/// boxes clipped to the image. Float32 in mmdetection's operation order. Boxes (N, 4) xyxy.
public struct DeltaXYWHBBoxCoder: Sendable {
    public var means: [Float] = [0, 0, 0, 0]
    public var stds: [Float] = [1, 1, 1, 1]
    public var clipBorder = true
    /// |log(wh_ratio_clip)| with mmdetection's default ratio 16 / 1000.
    public var maxRatio = Float(Swift.abs(Foundation.log(16.0 / 1000.0)))

    public init(means: [Float] = [0, 0, 0, 0], stds: [Float] = [1, 1, 1, 1], clipBorder: Bool = true, whRatioClip: Double = 16.0 / 1000.0) {
        checkInvariant(means.count == 4 && stds.count == 4, "DeltaXYWHBBoxCoder: 4 means and 4 stds")
        self.means = means
        self.stds = stds
        self.clipBorder = clipBorder
        maxRatio = Float(Swift.abs(Foundation.log(whRatioClip)))
    }

    /// Deltas (N, 4) taking `boxes` to `gtBoxes` (both (N, 4)).
    public func encode(_ boxes: Tensor, _ gtBoxes: Tensor) -> Tensor {
        checkInvariant(boxes.shape == gtBoxes.shape && boxes.rank == 2 && boxes.dim(1) == 4,
                     "DeltaXYWHBBoxCoder.encode: boxes \(boxes.shape) vs gt \(gtBoxes.shape)")
        let p = boxes.scalars, g = gtBoxes.scalars
        var out = [Float](repeating: 0, count: p.count)
        for i in 0..<(p.count / 4) {
            let b = 4 * i
            let px = (p[b] + p[b + 2]) * 0.5, py = (p[b + 1] + p[b + 3]) * 0.5
            let pw = p[b + 2] - p[b], ph = p[b + 3] - p[b + 1]
            let gx = (g[b] + g[b + 2]) * 0.5, gy = (g[b + 1] + g[b + 3]) * 0.5
            let gw = g[b + 2] - g[b], gh = g[b + 3] - g[b + 1]
            let d: [Float] = [(gx - px) / pw, (gy - py) / ph, Foundation.log(gw / pw), Foundation.log(gh / ph)]
            for k in 0..<4 { out[b + k] = (d[k] - means[k]) / stds[k] }
        }
        return Tensor(shape: boxes.shape, out)
    }

    /// Boxes from `deltas` (N, 4 k: k class-specific sets) applied to `boxes` (N, 4); clipped
    /// to `maxShape` (h, w) when given and `clipBorder`.
    public func decode(_ boxes: Tensor, _ deltas: Tensor, maxShape: (h: Int, w: Int)? = nil) -> Tensor {
        checkInvariant(boxes.rank == 2 && boxes.dim(1) == 4 && deltas.rank == 2 && deltas.dim(0) == boxes.dim(0)
                     && deltas.dim(1) % 4 == 0, "DeltaXYWHBBoxCoder.decode: boxes \(boxes.shape), deltas \(deltas.shape)")
        let p = boxes.scalars, d = deltas.scalars
        let k = deltas.dim(1) / 4
        var out = [Float](repeating: 0, count: d.count)
        for i in 0..<boxes.dim(0) {
            let b = 4 * i
            let pxy = [(p[b] + p[b + 2]) * 0.5, (p[b + 1] + p[b + 3]) * 0.5]
            let pwh = [p[b + 2] - p[b], p[b + 3] - p[b + 1]]
            for c in 0..<k {
                let o = 4 * (i * k + c)
                var g = [Float](repeating: 0, count: 4)
                for j in 0..<2 {
                    let dxy = d[o + j] * stds[j] + means[j]
                    let dwh = min(max(d[o + 2 + j] * stds[2 + j] + means[2 + j], -maxRatio), maxRatio)
                    let center = pxy[j] + pwh[j] * dxy
                    let size = pwh[j] * Foundation.exp(dwh)
                    g[j] = center - size * 0.5
                    g[j + 2] = center + size * 0.5
                }
                if clipBorder, let s = maxShape {
                    g[0] = min(max(g[0], 0), Float(s.w)); g[2] = min(max(g[2], 0), Float(s.w))
                    g[1] = min(max(g[1], 0), Float(s.h)); g[3] = min(max(g[3], 0), Float(s.h))
                }
                for j in 0..<4 { out[o + j] = g[j] }
            }
        }
        return Tensor(shape: deltas.shape, out)
    }
}

extension DeltaXYWHBBoxCoder {
    /// mmdetection's `DeltaXYWHBBoxCoder` config.
    public init(config c: ConfigView) throws {
        try c.accept(["type", "target_means", "target_stds", "clip_border", "add_ctr_clamp", "ctr_clamp", "use_box_type"])
        if try c.bool("add_ctr_clamp", default: false) { throw c.error("add_ctr_clamp", "add_ctr_clamp=True is not supported") }
        let all = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude
        let means = try c.doubles("target_means", default: [0, 0, 0, 0], in: all, count: 4...4).map(Float.init)
        let stds = try c.doubles("target_stds", default: [1, 1, 1, 1], above: 0, count: 4...4,
                                 why: "targets are divided by them").map(Float.init)
        self.init(means: means, stds: stds, clipBorder: try c.bool("clip_border", default: true))
    }
}
