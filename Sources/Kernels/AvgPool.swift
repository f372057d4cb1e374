/// 2-D average pooling as torch.nn.functional.avg_pool2d (square window, no dilation), with
/// torch's `ceil_mode` and `count_include_pad` rules.
///
/// Output size per axis: floor or ceil of (H + 2p - k) / s, plus 1; in ceil mode the last
/// window must start inside the input or its left padding (torch drops it otherwise), and a
/// side narrower than the window gives one output over what there is. The
/// divisor of a window is the number of its cells inside the input (`count_include_pad`
/// false) or inside the padded input (true; a ceil-mode window's part beyond the right
/// padding never counts).
public struct AvgPoolGeometry: Sendable, Equatable {
    public let planes, height, width, kernel, stride, padding: Int
    public let ceilMode, countIncludePad: Bool
    public let outH, outW: Int

    public init(planes: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int,
                ceilMode: Bool, countIncludePad: Bool) {
        self.planes = planes
        self.height = height
        self.width = width
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        // torch's pooling_output_shape: floor division (toward -infinity), so in ceil mode a
        // side narrower than the window still gives one output.
        func size(_ n: Int) -> Int {
            let num = n + 2 * padding - kernel + (ceilMode ? stride - 1 : 0)
            var out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1
            if ceilMode && (out - 1) * stride >= n + padding { out -= 1 }
            return out
        }
        outH = size(height)
        outW = size(width)
    }

    /// The input rows (or columns) of output index `o` along an axis of `n` cells, and the
    /// window's extent for the divisor.
    @inline(__always)
    func window(_ o: Int, _ n: Int) -> (lo: Int, hi: Int, count: Int) {
        let start = o * stride - padding
        let end = Swift.min(start + kernel, n + padding)
        let lo = Swift.max(start, 0), hi = Swift.min(end, n)
        return (lo, hi, countIncludePad ? end - start : hi - lo)
    }
}

public enum AvgPool2dKernel {
    // x: (planes, H, W); out: (planes, outH, outW)
    public static func forward(_ x: UnsafePointer<Float>, _ g: AvgPoolGeometry, out: UnsafeMutablePointer<Float>) {
        let (inPlane, outPlane) = (g.height * g.width, g.outH * g.outW)
        Parallel.forRange(g.planes, cost: inPlane + outPlane) { planes in
            for p in planes {
                let src = x + p * inPlane, dst = out + p * outPlane
                for oh in 0..<g.outH {
                    let rows = g.window(oh, g.height)
                    for ow in 0..<g.outW {
                        let cols = g.window(ow, g.width)
                        var sum: Float = 0
                        for ih in rows.lo..<rows.hi {
                            for iw in cols.lo..<cols.hi { sum += src[ih * g.width + iw] }
                        }
                        dst[oh * g.outW + ow] = sum / Float(rows.count * cols.count)
                    }
                }
            }
        }
    }

    /// gradX (overwritten): each output's gradient divided by its window's divisor, added to
    /// every input cell of the window.
    // gradOut: (planes, outH, outW); gradX: (planes, H, W)
    public static func backward(gradOut: UnsafePointer<Float>, _ g: AvgPoolGeometry, gradX: UnsafeMutablePointer<Float>) {
        let (inPlane, outPlane) = (g.height * g.width, g.outH * g.outW)
        Parallel.forRange(g.planes, cost: inPlane + outPlane) { planes in
            for p in planes {
                let dy = gradOut + p * outPlane, dx = gradX + p * inPlane
                dx.update(repeating: 0, count: inPlane)
                for oh in 0..<g.outH {
                    let rows = g.window(oh, g.height)
                    for ow in 0..<g.outW {
                        let cols = g.window(ow, g.width)
                        let v = dy[oh * g.outW + ow] / Float(rows.count * cols.count)
                        for ih in rows.lo..<rows.hi {
                            for iw in cols.lo..<cols.hi { dx[ih * g.width + iw] += v }
                        }
                    }
                }
            }
        }
    }
}
