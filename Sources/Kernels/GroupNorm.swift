import Foundation

/// Group normalisation (Wu & He 2018; torch.nn.GroupNorm, mmcv `GN`): per sample and group of
/// C/G channels, mean and biased variance over (C/G) * H * W, then
/// y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c].
///
/// x is viewed as (N, C, S) with S = H * W. The forward saves mean and rstd = 1 / sqrt(var + eps)
/// per (sample, group), exactly what the backward needs (aten's native_group_norm saves the same).
public enum GroupNormKernel {
    /// With `relu`, y = max(y, 0): the ReLU after the norm in the same pass.
    // x, y: (N, C, S); weight, bias: (C) or nil (1 and 0); saveMean, saveRstd: (N, G)
    public static func forward(
        _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, groups: Int,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, eps: Float, relu: Bool = false,
        y: UnsafeMutablePointer<Float>,
        saveMean: UnsafeMutablePointer<Float>, saveRstd: UnsafeMutablePointer<Float>
    ) {
        statistics(x, n: n, c: c, s: s, groups: groups, eps: eps, mean: saveMean, rstd: saveRstd)
        let (center, scale, shift) = planeAffine(n: n, c: c, groups: groups, mean: saveMean, rstd: saveRstd, weight: weight, bias: bias)
        NormPlanes.affine(x, planes: n * c, s: s, center: center, scale: scale, shift: shift, relu: relu, y: y)
    }

    /// Per (sample, channel) plane: the group's mean, rstd * weight[c] and bias[c].
    // mean, rstd: (N, G); weight, bias: (C) or nil; center, scale, shift: (N * C)
    static func planeAffine(
        n: Int, c: Int, groups: Int, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?
    ) -> (center: [Float], scale: [Float], shift: [Float]) {
        let planes = n * c
        let cpg = c / groups
        var center = [Float](repeating: 0, count: planes)
        var scale = [Float](repeating: 0, count: planes)
        var shift = [Float](repeating: 0, count: planes)
        for p in 0..<planes {
            let ch = p % c
            let seg = p / cpg  // = sample * groups + channel / cpg
            center[p] = mean[seg]
            scale[p] = rstd[seg] * (weight?[ch] ?? 1)
            shift[p] = bias?[ch] ?? 0
        }
        return (center, scale, shift)
    }

    /// Mean and rstd = 1 / sqrt(biased var + eps) per (sample, group), accumulated in Double.
    // x: (N, C, S); mean, rstd: (N, G)
    public static func statistics(
        _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, groups: Int, eps: Float,
        mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
    ) {
        checkInvariant(groups > 0 && c % groups == 0, "GroupNorm: \(c) channels not divisible into \(groups) groups")
        let segments = n * groups
        let length = (c / groups) * s
        var mu = [Double](repeating: 0, count: segments)
        var m2 = [Double](repeating: 0, count: segments)
        NormPlanes.moments(x, segments: segments, length: length, mean: &mu, m2: &m2)
        for g in 0..<segments {
            let variance = length > 0 ? m2[g] / Double(length) : 0
            mean[g] = Float(mu[g])
            rstd[g] = Float(1 / (variance + Double(eps)).squareRoot())
        }
    }

    /// Gradients of sum(y * dy). Pass nil for gradients that are not needed. With `relu` (a
    /// forward with `relu`), dy is the ReLU output's gradient: it passes where the norm's
    /// output was positive, recomputed from x, mean, rstd, weight and `bias`.
    // x, dy, dx: (N, C, S); mean, rstd: (N, G); weight, bias, dweight, dbias: (C)
    public static func backward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, n: Int, c: Int, s: Int, groups: Int,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
        bias: UnsafePointer<Float>? = nil, relu: Bool = false,
        dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?,
        dbias: UnsafeMutablePointer<Float>?
    ) {
        let planes = n * c
        let cpg = c / groups
        let (center, scale, shift) = planeAffine(n: n, c: c, groups: groups, mean: mean, rstd: rstd, weight: weight, bias: bias)
        let gate = relu ? NormPlanes.ReLUGate(scale: scale, shift: shift) : nil
        // Per plane: a = sum(dy), b = sum(dy * xhat).
        var a = [Double](repeating: 0, count: planes)
        var b = [Double](repeating: 0, count: planes)
        NormPlanes.gradientSums(
            x, dy, planes: planes, s: s, center: center, gate: gate,
            sumDy: &a, sumDyXc: &b)
        for p in 0..<planes { b[p] *= Double(rstd[p / cpg]) }
        NormPlanes.affineGradients(sumDy: a, sumDyXhat: b, n: n, c: c, dweight: dweight, dbias: dbias)
        guard let dx else { return }
        // dxhat = dy * w[c]; dx = r (dxhat - sum(dxhat)/M - xhat sum(dxhat xhat)/M) per group.
        let m = Double(cpg * s)
        var k1 = [Float](repeating: 0, count: planes)
        var k2 = [Float](repeating: 0, count: planes)
        var k3 = [Float](repeating: 0, count: planes)
        for seg in 0..<(n * groups) {
            var sa = 0.0, sb = 0.0
            for p in (seg * cpg)..<((seg + 1) * cpg) {
                let w = Double(weight?[p % c] ?? 1)
                sa += w * a[p]
                sb += w * b[p]
            }
            let r = Double(rstd[seg])
            for p in (seg * cpg)..<((seg + 1) * cpg) {
                k1[p] = Float(r * Double(weight?[p % c] ?? 1))
                k2[p] = Float(-r * r * sb / m)
                k3[p] = Float(-r * sa / m)
            }
        }
        NormPlanes.inputGradient(x, dy, planes: planes, s: s, center: center, gate: gate, k1: k1, k2: k2, k3: k3, dx: dx)
    }
}
