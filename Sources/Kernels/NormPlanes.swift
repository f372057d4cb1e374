/// Loops shared by the normalisation kernels (BatchNorm, GroupNorm, SwitchNorm): statistics of
/// contiguous segments, and the per-plane affine map and gradient pieces of
/// y = (x - center) * scale + shift, where a "plane" is one (sample, channel) slice of S elements.
///
/// Statistics and gradient sums accumulate in Double; every loop is split over planes (or
/// segments) with `Parallel.forRange`.
public enum NormPlanes {
    /// Mean and sum of squared deviations (M2) of `segments` contiguous runs of `length`
    /// elements, two-pass (mean first, then deviations) in Double.
    // x: (segments, length); mean, m2: (segments)
    public static func moments(
        _ x: UnsafePointer<Float>, segments: Int, length: Int,
        mean: UnsafeMutablePointer<Double>, m2: UnsafeMutablePointer<Double>
    ) {
        Parallel.forRange(segments, cost: 2 * length) { range in
            for seg in range {
                let row = x + seg * length
                var sum = 0.0
                for j in 0..<length { sum += Double(row[j]) }
                let mu = length > 0 ? sum / Double(length) : 0
                var sq = 0.0
                for j in 0..<length {
                    let d = Double(row[j]) - mu
                    sq += d * d
                }
                mean[seg] = mu
                m2[seg] = sq
            }
        }
    }

    /// y = (x - center[p]) * scale[p] + shift[p] on each plane p.
    // x, y: (planes, s); center, scale, shift: (planes)
    public static func affine(
        _ x: UnsafePointer<Float>, planes: Int, s: Int,
        center: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(planes, cost: s) { range in
            for p in range {
                let xr = x + p * s, yr = y + p * s
                let c = center[p], a = scale[p], b = shift[p]
                for j in 0..<s { yr[j] = (xr[j] - c) * a + b }
            }
        }
    }

    /// Per plane: sumDy[p] = sum of dy, sumDyXc[p] = sum of dy * (x - center[p]), in Double.
    // x, dy: (planes, s); center, sumDy, sumDyXc: (planes)
    public static func gradientSums(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, planes: Int, s: Int,
        center: UnsafePointer<Float>,
        sumDy: UnsafeMutablePointer<Double>, sumDyXc: UnsafeMutablePointer<Double>
    ) {
        Parallel.forRange(planes, cost: 2 * s) { range in
            for p in range {
                let xr = x + p * s, gr = dy + p * s
                let c = center[p]
                var a = 0.0, b = 0.0
                for j in 0..<s {
                    let g = Double(gr[j])
                    a += g
                    b += g * Double(xr[j] - c)
                }
                sumDy[p] = a
                sumDyXc[p] = b
            }
        }
    }

    /// dx = dy * k1[p] + (x - center[p]) * k2[p] + k3[p] on each plane p.
    // x, dy, dx: (planes, s); center, k1, k2, k3: (planes)
    public static func inputGradient(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, planes: Int, s: Int,
        center: UnsafePointer<Float>,
        k1: UnsafePointer<Float>, k2: UnsafePointer<Float>, k3: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(planes, cost: s) { range in
            for p in range {
                let xr = x + p * s, gr = dy + p * s, dr = dx + p * s
                let c = center[p], a = k1[p], b = k2[p], d = k3[p]
                for j in 0..<s { dr[j] = gr[j] * a + (xr[j] - c) * b + d }
            }
        }
    }
}
