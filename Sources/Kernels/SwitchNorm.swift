import Foundation

/// What Switchable Normalization's forward saves for its backward: the IN, LN and BN
/// statistics, the importance weights and the mixed mean and rstd. Order of components
/// everywhere: (IN, LN, BN).
public struct SwitchNormStatistics: Sendable {
    public let n: Int, c: Int, s: Int
    public let usingBN: Bool
    /// Whether the BN statistics came from the batch (and gradients flow through them).
    public let training: Bool
    /// Per (sample, channel): mean and UNBIASED variance over the S positions.
    public var meanIn: [Double], varIn: [Double]
    /// Per sample, from the instance statistics.
    public var meanLN: [Double], varLN: [Double]
    /// Per channel: batch statistics in training, the running ones in eval (empty without BN).
    public var meanBN: [Double], varBN: [Double]
    /// The samples behind the batch statistics: N, or every process's N when synchronized.
    public var batchSamples: Int
    /// softmax of the mean and variance logits.
    public var meanWeights: [Double], varWeights: [Double]
    /// Per (sample, channel): the mixed mean and 1 / sqrt(mixed variance + eps).
    public var mean: [Float], rstd: [Float]
}

/// Switchable Normalization (Luo et al. 2019, SwitchNorm2d of the authors' repository): the
/// mean and variance are softmax-weighted mixtures of the instance, layer and batch ones,
/// y = (x - mean) / sqrt(var + eps) * weight + bias. The exact rules (unbiased instance
/// variance, running-stat updates, eval) are in Tests/Fixtures/ops/SN.md.
public enum SwitchNormKernel {
    /// Forward. In eval with BN, the running statistics are the BN component; IN and LN always
    /// come from x. Logits hold 3 entries with BN, 2 without. `reduce` (synchronized SN, the
    /// SN authors' SyncSwitchableNorm) sums the per-channel batch sums over the processes of a
    /// job: the BN component becomes the joined batch's, weighted by sample counts; IN and LN
    /// stay per sample.
    // x, y: (N, C, S); weight, bias, runningMean, runningVar: (C); logits: (3) or (2)
    public static func forward(
        _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        meanLogits: UnsafePointer<Float>, varLogits: UnsafePointer<Float>, usingBN: Bool,
        training: Bool, runningMean: UnsafePointer<Float>?, runningVar: UnsafePointer<Float>?,
        eps: Float, y: UnsafeMutablePointer<Float>, reduce: ((inout [Double]) -> Void)? = nil
    ) -> SwitchNormStatistics {
        var st = statistics(x, n: n, c: c, s: s, usingBN: usingBN, training: training)
        if usingBN && training, let reduce { synchronizeBatchStatistics(&st, reduce) }
        if usingBN && !training {
            guard let runningMean, let runningVar else {
                fatalError("SwitchNorm: eval with BN needs the running statistics")
            }
            st.meanBN = (0..<c).map { Double(runningMean[$0]) }
            st.varBN = (0..<c).map { Double(runningVar[$0]) }
        }
        let k = usingBN ? 3 : 2
        st.meanWeights = softmax(meanLogits, k)
        st.varWeights = softmax(varLogits, k)
        let planes = n * c
        var scale = [Float](repeating: 0, count: planes)
        var shift = [Float](repeating: 0, count: planes)
        let wm = st.meanWeights, wv = st.varWeights
        for p in 0..<planes {
            let i = p / c, ch = p % c
            var mu = wm[0] * st.meanIn[p] + wm[1] * st.meanLN[i]
            var v = wv[0] * st.varIn[p] + wv[1] * st.varLN[i]
            if usingBN {
                mu += wm[2] * st.meanBN[ch]
                v += wv[2] * st.varBN[ch]
            }
            let r = 1 / (v + Double(eps)).squareRoot()
            st.mean[p] = Float(mu)
            st.rstd[p] = Float(r)
            scale[p] = Float(r * Double(weight[ch]))
            shift[p] = bias[ch]
        }
        NormPlanes.affine(x, planes: planes, s: s, center: st.mean, scale: scale, shift: shift, y: y)
        return st
    }

    /// Running-stat update after a training forward with BN (SN.md). With a moving average,
    /// momentum is the weight of the OLD value: r <- m r + (1 - m) batch. Without, running
    /// sums: rm <- rm + mean_bn, rv <- rv + (mean_bn^2 + var_bn).
    // runningMean, runningVar: (C)
    public static func updateRunningStatistics(
        _ st: SwitchNormStatistics,
        runningMean: UnsafeMutablePointer<Float>, runningVar: UnsafeMutablePointer<Float>,
        usingMovingAverage: Bool, momentum: Float
    ) {
        checkInvariant(st.usingBN && st.training, "SwitchNorm: running statistics are updated only in training with BN")
        for ch in 0..<st.c {
            let mb = Float(st.meanBN[ch]), vb = Float(st.varBN[ch])
            if usingMovingAverage {
                runningMean[ch] = runningMean[ch] * momentum + (1 - momentum) * mb
                runningVar[ch] = runningVar[ch] * momentum + (1 - momentum) * vb
            } else {
                runningMean[ch] += mb
                runningVar[ch] += mb * mb + vb
            }
        }
    }

    /// Gradients of sum(y * dy). In training they flow through all statistics; in eval the BN
    /// ones are constants. Pass nil for gradients that are not needed. Synchronized: `reduce`
    /// sums the BN statistics' gradients over the processes (the forward's `reduce`); the
    /// weight, bias and logit gradients stay this process's own (data parallelism averages them).
    // x, dy, dx: (N, C, S); weight, dweight, dbias: (C); dMeanLogits, dVarLogits: (3) or (2)
    public static func backward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ st: SwitchNormStatistics,
        weight: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?,
        dbias: UnsafeMutablePointer<Float>?,
        dMeanLogits: UnsafeMutablePointer<Float>?, dVarLogits: UnsafeMutablePointer<Float>?,
        reduce: ((inout [Double]) -> Void)? = nil
    ) {
        let (n, c, s) = (st.n, st.c, st.s)
        let planes = n * c
        var a = [Double](repeating: 0, count: planes)  // sum(dy) per plane
        var b = [Double](repeating: 0, count: planes)  // sum(dy * xhat) per plane
        NormPlanes.gradientSums(
            x, dy, planes: planes, s: s, center: st.mean,
            sumDy: &a, sumDyXc: &b)
        for p in 0..<planes { b[p] *= Double(st.rstd[p]) }
        NormPlanes.affineGradients(sumDy: a, sumDyXhat: b, n: n, c: c, dweight: dweight, dbias: dbias)
        // Gradients w.r.t. the mixed mean and variance of each plane.
        var dMean = [Double](repeating: 0, count: planes)
        var dVar = [Double](repeating: 0, count: planes)
        for p in 0..<planes {
            let g = Double(weight[p % c]), r = Double(st.rstd[p])
            dMean[p] = -g * r * a[p]
            dVar[p] = -0.5 * g * r * r * b[p]
        }
        if let dMeanLogits {
            logitGradient(dMean, st.meanIn, st.meanLN, st.meanBN, st.meanWeights, c: c, out: dMeanLogits)
        }
        if let dVarLogits {
            logitGradient(dVar, st.varIn, st.varLN, st.varBN, st.varWeights, c: c, out: dVarLogits)
        }
        guard let dx else { return }
        inputGradient(x, dy, st, weight: weight, dMean: dMean, dVar: dVar, dx: dx, reduce: reduce)
    }

    /// The BN component of the joined batch: per channel the sums of the instance means and
    /// second moments, and the sample count, summed over the processes.
    private static func synchronizeBatchStatistics(_ st: inout SwitchNormStatistics, _ reduce: (inout [Double]) -> Void) {
        let (n, c) = (st.n, st.c)
        var sums = [Double](repeating: 0, count: 2 * c + 1)
        for p in 0..<(n * c) {
            sums[p % c] += st.meanIn[p]
            sums[c + p % c] += st.varIn[p] + st.meanIn[p] * st.meanIn[p]
        }
        sums[2 * c] = Double(n)
        reduce(&sums)
        let total = sums[2 * c]
        for ch in 0..<c {
            st.meanBN[ch] = sums[ch] / total
            st.varBN[ch] = sums[c + ch] / total - st.meanBN[ch] * st.meanBN[ch]
        }
        st.batchSamples = Int(total)
    }

    // MARK: Pieces

    /// Instance and layer statistics, and the batch ones in training with BN.
    private static func statistics(
        _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, usingBN: Bool, training: Bool
    ) -> SwitchNormStatistics {
        let planes = n * c
        var meanIn = [Double](repeating: 0, count: planes)
        var varIn = [Double](repeating: 0, count: planes)
        NormPlanes.moments(x, segments: planes, length: s, mean: &meanIn, m2: &varIn)
        // Unbiased; S = 1 gives 0/0 = NaN, as in the original.
        for p in 0..<planes { varIn[p] /= Double(s - 1) }
        var meanLN = [Double](repeating: 0, count: n)
        var varLN = [Double](repeating: 0, count: n)
        var meanBN = [Double](repeating: 0, count: usingBN ? c : 0)
        var varBN = [Double](repeating: 0, count: usingBN ? c : 0)
        for p in 0..<planes {
            let second = varIn[p] + meanIn[p] * meanIn[p]
            meanLN[p / c] += meanIn[p] / Double(c)
            varLN[p / c] += second / Double(c)
            if usingBN && training {
                meanBN[p % c] += meanIn[p] / Double(n)
                varBN[p % c] += second / Double(n)
            }
        }
        for i in 0..<n { varLN[i] -= meanLN[i] * meanLN[i] }
        if usingBN && training {
            for ch in 0..<c { varBN[ch] -= meanBN[ch] * meanBN[ch] }
        }
        return SwitchNormStatistics(
            n: n, c: c, s: s, usingBN: usingBN, training: training,
            meanIn: meanIn, varIn: varIn, meanLN: meanLN, varLN: varLN, meanBN: meanBN, varBN: varBN, batchSamples: n,
            meanWeights: [], varWeights: [],
            mean: [Float](repeating: 0, count: planes), rstd: [Float](repeating: 0, count: planes))
    }

    private static func softmax(_ logits: UnsafePointer<Float>, _ k: Int) -> [Double] {
        let z = (0..<k).map { Double(logits[$0]) }
        let m = z.max()!
        let e = z.map { Foundation.exp($0 - m) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    /// dL/dlogits from dL/d(mixed statistic) per plane: first dL/dweight_k = sum over planes of
    /// grad * component_k, then back through the softmax.
    private static func logitGradient(
        _ grad: [Double], _ inst: [Double], _ layer: [Double], _ batch: [Double],
        _ weights: [Double], c: Int, out: UnsafeMutablePointer<Float>
    ) {
        let k = weights.count
        var dw = [Double](repeating: 0, count: k)
        for p in 0..<grad.count {
            dw[0] += grad[p] * inst[p]
            dw[1] += grad[p] * layer[p / c]
            if k == 3 { dw[2] += grad[p] * batch[p % c] }
        }
        let dot = zip(weights, dw).reduce(0.0) { $0 + $1.0 * $1.1 }
        for j in 0..<k { out[j] = Float(weights[j] * (dw[j] - dot)) }
    }

    /// dx through the direct path and the instance statistics (and, via LN and training BN,
    /// through every statistic that depends on x).
    private static func inputGradient(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ st: SwitchNormStatistics,
        weight: UnsafePointer<Float>, dMean: [Double], dVar: [Double],
        dx: UnsafeMutablePointer<Float>, reduce: ((inout [Double]) -> Void)?
    ) {
        let (n, c, s) = (st.n, st.c, st.s)
        let planes = n * c
        let wm = st.meanWeights, wv = st.varWeights
        let batchPath = st.usingBN && st.training
        // Sums of the mixed-statistic gradients over channels (LN) and over samples (BN).
        var dMeanLN = [Double](repeating: 0, count: n), dVarLN = [Double](repeating: 0, count: n)
        var dMeanBN = [Double](repeating: 0, count: c), dVarBN = [Double](repeating: 0, count: c)
        for p in 0..<planes {
            dMeanLN[p / c] += wm[1] * dMean[p]
            dVarLN[p / c] += wv[1] * dVar[p]
            if batchPath {
                dMeanBN[p % c] += wm[2] * dMean[p]
                dVarBN[p % c] += wv[2] * dVar[p]
            }
        }
        // var_ln = mean_c(var_in + mean_in^2) - mean_ln^2 (and likewise for BN over samples):
        // its gradient reaches mean_in directly and through mean_ln.
        for i in 0..<n { dMeanLN[i] -= 2 * st.meanLN[i] * dVarLN[i] }
        if batchPath, let reduce {
            var sums = dMeanBN + dVarBN
            reduce(&sums)
            dMeanBN = Array(sums[0..<c])
            dVarBN = Array(sums[c...])
        }
        let nb = Double(st.batchSamples)
        if batchPath {
            for ch in 0..<c { dMeanBN[ch] -= 2 * st.meanBN[ch] * dVarBN[ch] }
        }
        var k1 = [Float](repeating: 0, count: planes)
        var k2 = [Float](repeating: 0, count: planes)
        var k3 = [Float](repeating: 0, count: planes)
        for p in 0..<planes {
            let i = p / c, ch = p % c
            var dVarIn = wv[0] * dVar[p] + dVarLN[i] / Double(c)
            var dMeanIn = wm[0] * dMean[p] + (2 * st.meanIn[p] * dVarLN[i] + dMeanLN[i]) / Double(c)
            if batchPath {
                dVarIn += dVarBN[ch] / nb
                dMeanIn += (2 * st.meanIn[p] * dVarBN[ch] + dMeanBN[ch]) / nb
            }
            // dx = dy w r + dMeanIn / S + dVarIn * 2 (x - mean_in) / (S - 1), written around
            // the mixed mean (the kernel's center): x - mean_in = (x - mean) + (mean - mean_in).
            let slope = 2 * dVarIn / Double(s - 1)
            k1[p] = Float(Double(weight[ch]) * Double(st.rstd[p]))
            k2[p] = Float(slope)
            k3[p] = Float(dMeanIn / Double(s) + slope * (Double(st.mean[p]) - st.meanIn[p]))
        }
        NormPlanes.inputGradient(x, dy, planes: planes, s: s, center: st.mean, k1: k1, k2: k2, k3: k3, dx: dx)
    }
}
