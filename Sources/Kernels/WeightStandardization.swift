import Foundation

/// Weight standardisation (Qiao et al. 2019; mmcv `ConvWS2d`): per output channel, over its
/// K = Cin/groups * kh * kw weights, w_hat = (w - mean) / (std + eps) with the UNBIASED std
/// (divide by K - 1) and eps added to the std, not inside a square root.
///
/// The forward saves the per-row mean and std, which is what the backward needs.
public enum WeightStandardizationKernel {
    // w, out: (rows, k) = (Cout, Cin/groups * kh * kw); saveMean, saveStd: (rows)
    public static func forward(
        _ w: UnsafePointer<Float>, rows: Int, k: Int, eps: Float,
        out: UnsafeMutablePointer<Float>,
        saveMean: UnsafeMutablePointer<Float>, saveStd: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(rows, cost: 3 * k) { range in
            for r in range {
                let row = w + r * k, o = out + r * k
                let (mu, sq) = rowMoments(row, k)
                // K = 1 gives 0/0 = NaN, as torch's unbiased std does.
                let std = (sq / Double(k - 1)).squareRoot()
                let inv = 1 / (std + Double(eps))
                for j in 0..<k { o[j] = Float((Double(row[j]) - mu) * inv) }
                saveMean[r] = Float(mu)
                saveStd[r] = Float(std)
            }
        }
    }

    /// dL/dw from dL/dw_hat. With d = w - mean, s = std, t = 1 / (s + eps):
    /// dw_i = t (g_i - mean(g)) - t^2 (sum_j g_j d_j) d_i / ((K - 1) s).
    // w, dout, dw: (rows, k); mean, std: (rows)
    public static func backward(
        _ w: UnsafePointer<Float>, _ dout: UnsafePointer<Float>, rows: Int, k: Int, eps: Float,
        mean: UnsafePointer<Float>, std: UnsafePointer<Float>,
        dw: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(rows, cost: 3 * k) { range in
            for r in range {
                let row = w + r * k, g = dout + r * k, o = dw + r * k
                let mu = Double(mean[r]), s = Double(std[r])
                let t = 1 / (s + Double(eps))
                var sumG = 0.0, sumGD = 0.0
                for j in 0..<k {
                    let gj = Double(g[j])
                    sumG += gj
                    sumGD += gj * (Double(row[j]) - mu)
                }
                let gMean = sumG / Double(k)
                // A row with zero spread (s = 0) has d = 0 everywhere: its std term is 0
                // (torch would give 0/0 = NaN here).
                let c = s > 0 ? t * t * sumGD / (Double(k - 1) * s) : 0
                for j in 0..<k {
                    o[j] = Float(t * (Double(g[j]) - gMean) - c * (Double(row[j]) - mu))
                }
            }
        }
    }

    /// A weight row's mean and sum of squared deviations from it, in Double (two passes).
    @inline(__always)
    static func rowMoments(_ row: UnsafePointer<Float>, _ k: Int) -> (mean: Double, centeredSquares: Double) {
        var sum = 0.0
        for j in 0..<k { sum += Double(row[j]) }
        let mu = sum / Double(k)
        var sq = 0.0
        for j in 0..<k {
            let d = Double(row[j]) - mu
            sq += d * d
        }
        return (mu, sq)
    }
}
