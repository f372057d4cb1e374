import Kernels
import Testing

/// MaxPool2d and NearestInterpolation kernels against direct loops on wide planes (the
/// eight-column vector paths and their tails), with many ties and a NaN.
@Suite struct PoolKernelTests {
    /// (kernel, stride, padding)
    static let windows = [(3, 2, 1), (2, 2, 0), (2, 1, 0), (1, 2, 0), (3, 1, 1), (5, 3, 2)]

    @Test(arguments: windows)
    func maxPoolMatchesDirectLoops(window: (Int, Int, Int)) {
        let (k, s, p) = window
        let (planes, h, w) = (3, 11, 45)
        var rng = SeededGenerator(seed: 9)
        // Few distinct values: ties everywhere; one NaN.
        var x = (0..<planes * h * w).map { _ in Float(Int(rng.nextUniform() * 4)) - 2 }
        x[planes * h * w / 2 + 7] = .nan
        let g = ConvGeometry(channels: planes, height: h, width: w, kernel: (k, k), stride: (s, s), padding: (p, p))
        var out = [Float](repeating: 0, count: planes * g.outPlane), values = out
        var idx = [Int32](repeating: -1, count: out.count)
        MaxPool2dKernel.forward(x, g, out: &out, indices: &idx)
        MaxPool2dKernel.forward(x, g, out: &values, indices: nil)
        var mismatches = 0
        for pl in 0..<planes { for oh in 0..<g.outH { for ow in 0..<g.outW {
            // Row-major window scan; a later candidate wins only if greater or NaN.
            let h0 = max(oh * s - p, 0), w0 = max(ow * s - p, 0)
            var best = -Float.infinity, at = h0 * w + w0
            for ih in h0..<min(oh * s - p + k, h) { for iw in w0..<min(ow * s - p + k, w) {
                let v = x[(pl * h + ih) * w + iw]
                if v > best || v.isNaN { best = v; at = ih * w + iw }
            } }
            let o = (pl * g.outH + oh) * g.outW + ow
            let same = { (a: Float) in a == best || (a.isNaN && best.isNaN) }
            if !same(out[o]) || !same(values[o]) || Int(idx[o]) != at { mismatches += 1 }
        } } }
        #expect(mismatches == 0, "k\(k) s\(s) p\(p): \(mismatches) outputs differ")
    }

    @Test func nearestMatchesDirectLoops() {
        let (planes, h, w, oh, ow) = (2, 7, 13, 17, 40)
        let x = (0..<planes * h * w).map(Float.init)
        let sy = NearestInterpolation.sourceIndices(input: h, output: oh)
        let sx = NearestInterpolation.sourceIndices(input: w, output: ow)
        var out = [Float](repeating: -1, count: planes * oh * ow)
        NearestInterpolation.forward(x, planes: planes, inH: h, inW: w, srcY: sy, srcX: sx, out: &out)
        let expected = (0..<out.count).map { i -> Float in
            let p = i / (oh * ow), y = (i / ow) % oh, xx = i % ow
            return x[(p * h + sy[y]) * w + sx[xx]]
        }
        #expect(out == expected)
        var gx = [Float](repeating: .nan, count: x.count)
        NearestInterpolation.backward(gradOut: [Float](repeating: 1, count: out.count), planes: planes, inH: h, inW: w,
                                      srcY: sy, srcX: sx, gradX: &gx)
        // Each input pixel receives one count per destination that reads it.
        #expect(gx.reduce(0, +) == Float(out.count))
    }
}
