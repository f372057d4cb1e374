import Foundation

/// Batch normalisation (Ioffe & Szegedy 2015; torch.nn.BatchNorm2d, mmcv `BN`): per channel,
/// y = (x - mean) / sqrt(var + eps) * weight + bias, with batch statistics over (N, H, W) in
/// training and the running statistics in eval (mmdetection's frozen BN).
///
/// x is viewed as (N, C, S) with S = H * W (S = 1 for (N, C) input). The forward saves the
/// per-channel mean and rstd = 1 / sqrt(var + eps) that the backward needs.
public enum BatchNormKernel {
    /// Training forward: normalises with the batch mean and the biased batch variance.
    /// `biasedVariance` (optional) receives the biased variance for the running-stat update.
    /// `exchange`, for synchronized BN across processes, takes this batch's per-plane moments
    /// ((N, C) means and sums of squared deviations, S values each) and returns every
    /// process's, concatenated in process order, with each plane's value count (processes pad
    /// their batches to different sizes); the statistics are then those of the joined batch,
    /// merged in the order one process would merge them. Returns the number of values per
    /// channel (N S, or the joined batch's).
    // x, y: (N, C, S); weight, bias: (C) or nil (1 and 0); saveMean, saveRstd, biasedVariance: (C)
    @discardableResult
    public static func forwardTraining(
        _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, eps: Float, relu: Bool = false,
        y: UnsafeMutablePointer<Float>,
        saveMean: UnsafeMutablePointer<Float>, saveRstd: UnsafeMutablePointer<Float>,
        biasedVariance: UnsafeMutablePointer<Float>?,
        exchange: ((_ planeMean: [Double], _ planeM2: [Double]) -> (mean: [Double], m2: [Double], size: [Int]))? = nil
    ) -> Int {
        let planes = n * c
        var planeMean = [Double](repeating: 0, count: planes)
        var planeM2 = [Double](repeating: 0, count: planes)
        NormPlanes.moments(x, segments: planes, length: s, mean: &planeMean, m2: &planeM2)
        var sizes = [Int](repeating: s, count: planes)
        if let exchange { (planeMean, planeM2, sizes) = exchange(planeMean, planeM2) }
        let total = planeMean.count / max(c, 1)
        let equalSizes = sizes.allSatisfy { $0 == s }
        var count = 0
        // Combine the per-plane moments of each channel (Chan et al.); planes of unequal sizes
        // (synchronized BN over differently padded batches) weighted by their value counts.
        for ch in 0..<c {
            var mu = 0.0, values = 0
            if equalSizes {
                for i in 0..<total { mu += planeMean[i * c + ch] }
                mu /= Double(total)
                values = total * s
            } else {
                for i in 0..<total {
                    mu += Double(sizes[i * c + ch]) * planeMean[i * c + ch]
                    values += sizes[i * c + ch]
                }
                mu /= Double(max(values, 1))
            }
            var m2 = 0.0
            for i in 0..<total {
                let d = planeMean[i * c + ch] - mu
                m2 += planeM2[i * c + ch] + Double(sizes[i * c + ch]) * d * d
            }
            let variance = m2 / Double(values)
            saveMean[ch] = Float(mu)
            saveRstd[ch] = Float(1 / (variance + Double(eps)).squareRoot())
            biasedVariance?[ch] = Float(variance)
            count = values
        }
        normalize(x, n: n, c: c, s: s, mean: saveMean, rstd: saveRstd, weight: weight, bias: bias, relu: relu, y: y)
        return count
    }

    /// Eval forward: normalises with the running statistics (constants).
    // x, y: (N, C, S); runningMean, runningVar, weight, bias, saveMean, saveRstd: (C)
    public static func forwardEval(
        _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
        runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, eps: Float, relu: Bool = false,
        y: UnsafeMutablePointer<Float>,
        saveMean: UnsafeMutablePointer<Float>, saveRstd: UnsafeMutablePointer<Float>
    ) {
        for ch in 0..<c {
            saveMean[ch] = runningMean[ch]
            saveRstd[ch] = Float(1 / (Double(runningVar[ch]) + Double(eps)).squareRoot())
        }
        normalize(x, n: n, c: c, s: s, mean: saveMean, rstd: saveRstd, weight: weight, bias: bias, relu: relu, y: y)
    }

    /// PyTorch's running-stat update with momentum m (weight of the NEW value):
    /// rm <- (1 - m) rm + m mean, rv <- (1 - m) rv + m * var * count / (count - 1) (unbiased).
    // runningMean, runningVar, mean, biasedVariance: (C); count = N * S
    public static func updateRunningStatistics(
        runningMean: UnsafeMutablePointer<Float>, runningVar: UnsafeMutablePointer<Float>,
        mean: UnsafePointer<Float>, biasedVariance: UnsafePointer<Float>,
        c: Int, count: Int, momentum: Float
    ) {
        let correction = Double(count) / Double(max(count - 1, 1))
        for ch in 0..<c {
            let unbiased = Float(Double(biasedVariance[ch]) * correction)
            runningMean[ch] = (1 - momentum) * runningMean[ch] + momentum * mean[ch]
            runningVar[ch] = (1 - momentum) * runningVar[ch] + momentum * unbiased
        }
    }

    /// Backward of either forward. In training the statistics depend on x; in eval they are
    /// constants, so dx = dy * weight * rstd. Pass nil for gradients that are not needed.
    /// Synchronized BN: `count` is the joined batch's values per channel (the forward's
    /// result) and `reduce` sums the per-channel (sum dy, sum dy xhat) over the processes
    /// before dx; dweight and dbias stay this process's own (data parallelism averages them).
    /// With `relu` (a forward with `relu`), dy is the ReLU output's gradient: it passes where
    /// the norm's output was positive, recomputed from x, the statistics, weight and `bias`.
    // x, dy, dx: (N, C, S); mean, rstd, weight, dweight, dbias: (C)
    public static func backward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, n: Int, c: Int, s: Int,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
        bias: UnsafePointer<Float>? = nil, relu: Bool = false, training: Bool,
        dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?,
        dbias: UnsafeMutablePointer<Float>?,
        count: Int? = nil, reduce: ((inout [Double]) -> Void)? = nil
    ) {
        let planes = n * c
        let (center, scale, shift) = planeAffine(n: n, c: c, mean: mean, rstd: rstd, weight: weight, bias: bias)
        let gate = relu ? NormPlanes.ReLUGate(scale: scale, shift: shift) : nil
        var sumDy = [Double](repeating: 0, count: c)
        var sumDyXhat = [Double](repeating: 0, count: c)
        if (training && dx != nil) || dweight != nil || dbias != nil {
            var a = [Double](repeating: 0, count: planes)
            var b = [Double](repeating: 0, count: planes)
            NormPlanes.gradientSums(
                x, dy, planes: planes, s: s, center: center, gate: gate,
                sumDy: &a, sumDyXc: &b)
            for p in 0..<planes {
                sumDy[p % c] += a[p]
                sumDyXhat[p % c] += b[p]
            }
            for ch in 0..<c {
                sumDyXhat[ch] *= Double(rstd[ch])
                dweight?[ch] = Float(sumDyXhat[ch])
                dbias?[ch] = Float(sumDy[ch])
            }
        }
        guard let dx else { return }
        if training, let reduce {
            var sums = sumDy + sumDyXhat
            reduce(&sums)
            sumDy = Array(sums[0..<c])
            sumDyXhat = Array(sums[c...])
        }
        let m = Double(count ?? n * s)
        var k1 = [Float](repeating: 0, count: planes)
        var k2 = [Float](repeating: 0, count: planes)
        var k3 = [Float](repeating: 0, count: planes)
        for p in 0..<planes {
            let ch = p % c
            let r = Double(rstd[ch]), w = Double(weight?[ch] ?? 1)
            k1[p] = Float(w * r)
            if training {
                // dx = w r (dy - sum(dy)/M - xhat sum(dy xhat)/M), xhat = (x - mean) r
                k2[p] = Float(-w * r * r * sumDyXhat[ch] / m)
                k3[p] = Float(-w * r * sumDy[ch] / m)
            }
        }
        NormPlanes.inputGradient(x, dy, planes: planes, s: s, center: center, gate: gate, k1: k1, k2: k2, k3: k3, dx: dx)
    }

    /// y = (x - mean) * (rstd * weight) + bias per channel; with `relu`, max(y, 0).
    private static func normalize(
        _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, relu: Bool, y: UnsafeMutablePointer<Float>
    ) {
        let (center, scale, shift) = planeAffine(n: n, c: c, mean: mean, rstd: rstd, weight: weight, bias: bias)
        NormPlanes.affine(x, planes: n * c, s: s, center: center, scale: scale, shift: shift, relu: relu, y: y)
    }

    /// Per (sample, channel) plane: mean[c], rstd[c] * weight[c] and bias[c].
    // mean, rstd: (C); weight, bias: (C) or nil; center, scale, shift: (N * C)
    private static func planeAffine(
        n: Int, c: Int, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?
    ) -> (center: [Float], scale: [Float], shift: [Float]) {
        let planes = n * c
        return ((0..<planes).map { mean[$0 % c] },
                (0..<planes).map { rstd[$0 % c] * (weight?[$0 % c] ?? 1) },
                (0..<planes).map { bias?[$0 % c] ?? 0 })
    }
}
