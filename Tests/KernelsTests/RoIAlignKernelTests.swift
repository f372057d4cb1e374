import Kernels
import Testing

/// RoIAlign on inputs large enough for the threaded paths (forward over RoIs x channels,
/// backward over channels), against a direct per-sample transcription of mmcv's rules.
@Suite struct RoIAlignKernelTests {

    /// Random RoIs in image pixels (scale 0.5), some across or beyond the borders, some tiny.
    static func rois(count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        var rois: [Float] = []
        for _ in 0..<count {
            let x1 = rng.nextUniform() * 56 - 10, y1 = rng.nextUniform() * 48 - 10
            let bw = rng.nextUniform() * 40, bh = rng.nextUniform() * 40
            rois += [Float(Int(rng.nextUniform() * 2)), x1, y1, x1 + bw, y1 + bh]
        }
        return rois
    }

    @Test(arguments: [(0, true), (2, true), (0, false), (3, false)])
    func matchesDirectSampling(samplingRatio: Int, aligned: Bool) {
        let (n, c, h, w) = (2, 40, 19, 23)
        let (outH, outW, r) = (7, 5, 37)
        var rng = SeededGenerator(seed: 3)
        let x = (0..<(n * c * h * w)).map { _ in rng.nextNormal() }
        let gradOut = (0..<(r * c * outH * outW)).map { _ in rng.nextNormal() }
        let rois = Self.rois(count: r, seed: 4)
        let plan = RoIAlignPlan(rois: rois, roiCount: r, batch: n, channels: c, height: h, width: w, outH: outH, outW: outW,
                                spatialScale: 0.5, samplingRatio: samplingRatio, aligned: aligned)
        var out = [Float](repeating: .nan, count: r * c * outH * outW)
        var gradX = [Float](repeating: .nan, count: x.count)
        RoIAlignKernel.forward(x, plan, out: &out)
        RoIAlignKernel.backward(gradOut: gradOut, plan, gradX: &gradX)
        let reference = DirectRoIAlign(rois: rois, n: n, c: c, h: h, w: w, outH: outH, outW: outW,
                                       scale: 0.5, samplingRatio: samplingRatio, aligned: aligned)
        let (refOut, refGrad) = (reference.forward(x), reference.backward(gradOut))
        // Same operations in the same order: the forward is bitwise equal.
        #expect(zip(out, refOut).filter { $0 != $1 }.count == 0, "forward differs")
        // The backward multiplies by 1 / count where mmcv divides by count: within an ulp per term.
        let worst = zip(gradX, refGrad).map { Swift.abs($0 - $1) - 1e-5 * Swift.abs($1) }.max() ?? 0
        #expect(worst < 1e-6, "backward: worst excess over 1e-5 relative \(worst)")
    }
}

/// mmcv's RoIAlign written out per sample (pre_calc-free), for comparison.
struct DirectRoIAlign {
    let rois: [Float]
    let n: Int, c: Int, h: Int, w: Int, outH: Int, outW: Int
    let scale: Float, samplingRatio: Int, aligned: Bool

    /// Calls body(roi, batch, bin, [(position in plane, weight)]) for every valid sample.
    func visit(_ body: (Int, Int, Int, [(Int, Float)]) -> Void) {
        for r in 0..<(rois.count / 5) {
            let roi = Array(rois[(5 * r)..<(5 * r + 5)])
            let off: Float = aligned ? 0.5 : 0
            let sx = roi[1] * scale - off, sy = roi[2] * scale - off
            var rw = (roi[3] * scale - off) - sx, rh = (roi[4] * scale - off) - sy
            if !aligned { rw = max(rw, 1); rh = max(rh, 1) }
            let bh = rh / Float(outH), bw = rw / Float(outW)
            let gh = samplingRatio > 0 ? samplingRatio : Int((rh / Float(outH)).rounded(.up))
            let gw = samplingRatio > 0 ? samplingRatio : Int((rw / Float(outW)).rounded(.up))
            for ph in 0..<outH { for pw in 0..<outW { for iy in 0..<gh { for ix in 0..<gw {
                var y = sy + Float(ph) * bh + (Float(iy) + 0.5) * bh / Float(gh)
                var x = sx + Float(pw) * bw + (Float(ix) + 0.5) * bw / Float(gw)
                if y < -1 || y > Float(h) || x < -1 || x > Float(w) { continue }
                if y <= 0 { y = 0 }
                if x <= 0 { x = 0 }
                var yl = Int(y), xl = Int(x), yh = yl + 1, xh = xl + 1
                if yl >= h - 1 { yl = h - 1; yh = yl; y = Float(yl) }
                if xl >= w - 1 { xl = w - 1; xh = xl; x = Float(xl) }
                let ly = y - Float(yl), lx = x - Float(xl), hy = 1 - ly, hx = 1 - lx
                body(r, Int(roi[0]), ph * outW + pw, [
                    (yl * w + xl, hy * hx), (yl * w + xh, hy * lx), (yh * w + xl, ly * hx), (yh * w + xh, ly * lx),
                ])
            } } } }
        }
    }

    func forward(_ x: [Float]) -> [Float] {
        let bins = outH * outW
        var sums = [Float](repeating: 0, count: rois.count / 5 * c * bins)
        visit { r, b, bin, taps in
            for ch in 0..<c {
                let plane = (b * c + ch) * h * w
                var v: Float = 0
                for (k, (p, wt)) in taps.enumerated() { v = k == 0 ? wt * x[plane + p] : v + wt * x[plane + p] }
                sums[(r * c + ch) * bins + bin] += v
            }
        }
        return sums.enumerated().map { $0.element / gridCount($0.offset / (c * bins)) }
    }

    func backward(_ gradOut: [Float]) -> [Float] {
        let bins = outH * outW
        var gx = [Float](repeating: 0, count: n * c * h * w)
        visit { r, b, bin, taps in
            let count = gridCount(r)
            for ch in 0..<c {
                let g = gradOut[(r * c + ch) * bins + bin]
                for (p, wt) in taps { gx[(b * c + ch) * h * w + p] += g * wt / count }
            }
        }
        return gx
    }

    func gridCount(_ r: Int) -> Float {
        let off: Float = aligned ? 0.5 : 0
        var rw = (rois[5 * r + 3] * scale - off) - (rois[5 * r + 1] * scale - off)
        var rh = (rois[5 * r + 4] * scale - off) - (rois[5 * r + 2] * scale - off)
        if !aligned { rw = max(rw, 1); rh = max(rh, 1) }
        let gh = samplingRatio > 0 ? samplingRatio : Int((rh / Float(outH)).rounded(.up))
        let gw = samplingRatio > 0 ? samplingRatio : Int((rw / Float(outW)).rounded(.up))
        return Float(max(gh * gw, 1))
    }
}
