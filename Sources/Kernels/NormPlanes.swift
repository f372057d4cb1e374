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
                let mu = length > 0 ? sum(row, length) / Double(length) : 0
                mean[seg] = mu
                m2[seg] = squaredDeviations(row, length, from: mu)
            }
        }
    }

    /// y = (x - center[p]) * scale[p] + shift[p] on each plane p; with `relu`, max(that, 0)
    /// (a norm and the ReLU after it in one pass).
    // x, y: (planes, s); center, scale, shift: (planes)
    public static func affine(
        _ x: UnsafePointer<Float>, planes: Int, s: Int,
        center: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
        relu: Bool = false, y: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(planes, cost: s) { range in
            for p in range {
                let xr = x + p * s, yr = y + p * s
                let c = center[p], a = scale[p], b = shift[p]
                if relu {
                    for j in 0..<s { yr[j] = Swift.max((xr[j] - c) * a + b, 0) }
                } else {
                    for j in 0..<s { yr[j] = (xr[j] - c) * a + b }
                }
            }
        }
    }

    /// The ReLU that followed a norm's affine map, for its backward: dy passes where the
    /// forward's (x - center[p]) * scale[p] + shift[p] was positive, recomputed from x with the
    /// forward's own operations (so the same elements pass as ReLU's y > 0 would let through).
    public struct ReLUGate {
        public var scale: [Float]
        public var shift: [Float]
        // scale, shift: (planes)
        public init(scale: [Float], shift: [Float]) {
            self.scale = scale
            self.shift = shift
        }
    }

    /// Per plane: sumDy[p] = sum of dy, sumDyXc[p] = sum of dy * (x - center[p]), in Double.
    // x, dy: (planes, s); center, sumDy, sumDyXc: (planes)
    /// With a `gate`, dy counts only where it passes.
    public static func gradientSums(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, planes: Int, s: Int,
        center: UnsafePointer<Float>, gate: ReLUGate? = nil,
        sumDy: UnsafeMutablePointer<Double>, sumDyXc: UnsafeMutablePointer<Double>
    ) {
        Parallel.forRange(planes, cost: 2 * s) { range in
            for p in range {
                let (a, b) = if let gate {
                    dySums(x + p * s, dy + p * s, s, center: center[p], PositiveOutput(gate.scale[p], gate.shift[p]))
                } else {
                    dySums(x + p * s, dy + p * s, s, center: center[p], AllDy())
                }
                sumDy[p] = a
                sumDyXc[p] = b
            }
        }
    }

    /// dx = dy * k1[p] + (x - center[p]) * k2[p] + k3[p] on each plane p, dy taken as 0 where
    /// a `gate` stops it.
    // x, dy, dx: (planes, s); center, k1, k2, k3: (planes)
    public static func inputGradient(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, planes: Int, s: Int,
        center: UnsafePointer<Float>, gate: ReLUGate? = nil,
        k1: UnsafePointer<Float>, k2: UnsafePointer<Float>, k3: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(planes, cost: s) { range in
            for p in range {
                let xr = x + p * s, gr = dy + p * s, dr = dx + p * s
                let c = center[p], a = k1[p], b = k2[p], d = k3[p]
                if let gate {
                    let ga = gate.scale[p], gb = gate.shift[p]
                    for j in 0..<s {
                        let xc = xr[j] - c, g = gr[j]  // loaded either way: a select, which vectorises
                        dr[j] = (xc * ga + gb > 0 ? g : 0) * a + xc * b + d
                    }
                } else {
                    for j in 0..<s { dr[j] = gr[j] * a + (xr[j] - c) * b + d }
                }
            }
        }
    }

    // MARK: Vectorised sums (8 floats per step into two SIMD4<Double> accumulators)

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// sum of p[0..<n] in Double.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
        var lo = SIMD4<Double>(), hi = SIMD4<Double>()
        var j = 0
        while j + 8 <= n {
            let v = load8(p + j)
            lo += SIMD4<Double>(v.lowHalf)
            hi += SIMD4<Double>(v.highHalf)
            j += 8
        }
        var total = (lo + hi).sum()
        while j < n { total += Double(p[j]); j += 1 }
        return total
    }

    /// sum of (p[j] - mu)^2 in Double.
    @inline(__always)
    static func squaredDeviations(_ p: UnsafePointer<Float>, _ n: Int, from mu: Double) -> Double {
        var lo = SIMD4<Double>(), hi = SIMD4<Double>()
        let m = SIMD4<Double>(repeating: mu)
        var j = 0
        while j + 8 <= n {
            let v = load8(p + j)
            let a = SIMD4<Double>(v.lowHalf) - m, b = SIMD4<Double>(v.highHalf) - m
            lo += a * a
            hi += b * b
            j += 8
        }
        var total = (lo + hi).sum()
        while j < n {
            let d = Double(p[j]) - mu
            total += d * d
            j += 1
        }
        return total
    }

    /// (sum of dy, sum of dy * (x - center)) in Double, of the dy that `filter` passes.
    @inline(__always)
    static func dySums<F: DyFilter>(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ n: Int, center: Float, _ filter: F
    ) -> (Double, Double) {
        var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), b0 = SIMD4<Double>(), b1 = SIMD4<Double>()
        let c = SIMD8<Float>(repeating: center)
        var j = 0
        while j + 8 <= n {
            let d = load8(x + j) - c
            let g = filter.pass(load8(dy + j), d)
            let glo = SIMD4<Double>(g.lowHalf), ghi = SIMD4<Double>(g.highHalf)
            a0 += glo
            a1 += ghi
            b0 += glo * SIMD4<Double>(d.lowHalf)
            b1 += ghi * SIMD4<Double>(d.highHalf)
            j += 8
        }
        var a = (a0 + a1).sum(), b = (b0 + b1).sum()
        while j < n {
            let d = x[j] - center
            let g = Double(filter.pass(dy[j], d))  // a stopped dy is summed as 0, as in the vector loop
            a += g
            b += g * Double(d)
            j += 1
        }
        return (a, b)
    }

    /// The affine parameters' gradients from per-plane sums over (N, C) planes: dweight[c] =
    /// sum over n of sum(dy * xhat), dbias[c] = sum over n of sum(dy).
    public static func affineGradients(
        sumDy a: [Double], sumDyXhat b: [Double], n: Int, c: Int,
        dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?
    ) {
        guard dweight != nil || dbias != nil else { return }
        for ch in 0..<c {
            var sw = 0.0, sb = 0.0
            for i in 0..<n {
                sw += b[i * c + ch]
                sb += a[i * c + ch]
            }
            dweight?[ch] = Float(sw)
            dbias?[ch] = Float(sb)
        }
    }
}

/// Which dy a gradient sum takes, given d = x - center.
protocol DyFilter {
    func pass(_ g: SIMD8<Float>, _ d: SIMD8<Float>) -> SIMD8<Float>
    func pass(_ g: Float, _ d: Float) -> Float
}

/// Every dy.
struct AllDy: DyFilter {
    @inline(__always) func pass(_ g: SIMD8<Float>, _ d: SIMD8<Float>) -> SIMD8<Float> { g }
    @inline(__always) func pass(_ g: Float, _ d: Float) -> Float { g }
}

/// The dy a ReLU after the norm let through: where d * scale + shift (the norm's output) is
/// positive; 0 elsewhere, NaN included, as ReLU's y > 0.
struct PositiveOutput: DyFilter {
    let scale: Float, shift: Float
    let scales: SIMD8<Float>, shifts: SIMD8<Float>
    init(_ scale: Float, _ shift: Float) {
        self.scale = scale
        self.shift = shift
        scales = SIMD8(repeating: scale)
        shifts = SIMD8(repeating: shift)
    }
    @inline(__always) func pass(_ g: SIMD8<Float>, _ d: SIMD8<Float>) -> SIMD8<Float> {
        g.replacing(with: 0, where: .!(d * scales + shifts .> 0))
    }
    @inline(__always) func pass(_ g: Float, _ d: Float) -> Float { d * scale + shift > 0 ? g : 0 }
}
