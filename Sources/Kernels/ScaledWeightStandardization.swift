import Foundation

/// Scaled weight standardisation (Brock et al. 2021, "Characterizing signal propagation to
/// close the performance gap in unnormalized ResNets"; timm's `ScaledStdConv2d`): per output
/// channel r, over its K = Cin/groups * kh * kw weights,
/// w_hat = gain_r * scale * (w - mean) / sqrt(var + eps), with the BIASED variance (divide by
/// K) and eps inside the square root, as timm's `F.batch_norm` over the weight rows; `scale`
/// is gamma / sqrt(K) (the activation's gain over the fan-in).
///
/// The forward saves the per-row mean and 1 / sqrt(var + eps), which is what the backward needs.
public enum ScaledWeightStandardizationKernel {
    // w, out: (rows, k); gain, saveMean, saveRstd: (rows)
    public static func forward(
        _ w: UnsafePointer<Float>, gain: UnsafePointer<Float>, rows: Int, k: Int, scale: Float, eps: Float,
        out: UnsafeMutablePointer<Float>,
        saveMean: UnsafeMutablePointer<Float>, saveRstd: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(rows, cost: 3 * k) { range in
            for r in range {
                let row = w + r * k, o = out + r * k
                let (mu, sq) = WeightStandardizationKernel.rowMoments(row, k)
                let rstd = 1 / (sq / Double(k) + Double(eps)).squareRoot()
                let a = rstd * Double(gain[r]) * Double(scale)
                for j in 0..<k { o[j] = Float((Double(row[j]) - mu) * a) }
                saveMean[r] = Float(mu)
                saveRstd[r] = Float(rstd)
            }
        }
    }

    /// dL/dw and dL/dgain from dL/dw_hat. With xhat = (w - mean) rstd and a = gain scale:
    /// dgain = scale sum(g xhat); dw = a rstd (g - mean(g) - xhat mean(g xhat)).
    // w, dout, dw: (rows, k); gain, mean, rstd, dgain: (rows)
    public static func backward(
        _ w: UnsafePointer<Float>, _ dout: UnsafePointer<Float>, gain: UnsafePointer<Float>,
        rows: Int, k: Int, scale: Float, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        dw: UnsafeMutablePointer<Float>, dgain: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(rows, cost: 3 * k) { range in
            for r in range {
                let row = w + r * k, g = dout + r * k, o = dw + r * k
                let mu = Double(mean[r]), rs = Double(rstd[r])
                var sumG = 0.0, sumGX = 0.0
                for j in 0..<k {
                    let gj = Double(g[j])
                    sumG += gj
                    sumGX += gj * (Double(row[j]) - mu) * rs
                }
                dgain[r] = Float(Double(scale) * sumGX)
                let a = Double(gain[r]) * Double(scale) * rs
                let gMean = sumG / Double(k), gxMean = sumGX / Double(k)
                for j in 0..<k {
                    let xhat = (Double(row[j]) - mu) * rs
                    o[j] = Float(a * (Double(g[j]) - gMean - xhat * gxMean))
                }
            }
        }
    }
}
