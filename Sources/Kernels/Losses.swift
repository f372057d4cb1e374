import Foundation

/// Fused per-element loss kernels, forward and gradient: softmax cross-entropy with integer
/// targets, binary cross-entropy with logits (plain and mmdetection's per-label mask form), and
/// smooth L1 (beta 0 is plain L1). Reductions are the caller's (`sum` below); see
/// mmdet.models.losses for the semantics mirrored here.
///
/// Gradient kernels take the upstream gradient as `gradOut[i * gradStride] * scale`: stride 1
/// for an unreduced loss, stride 0 with scale 1 / divisor for a loss reduced to one scalar.
public enum LossKernels {
    // MARK: Softmax cross-entropy

    /// loss[r] = w[r] * (logsumexp(x[r, :]) - x[r, t[r]]), 0 where t[r] == ignoreIndex. Saves
    /// the row's logsumexp (0 for ignored rows), all the backward needs besides x.
    // x: (rows, classes), targets/weight/loss/logSumExp: (rows)
    public static func crossEntropyForward(
        _ x: UnsafePointer<Float>, rows: Int, classes: Int, targets: UnsafePointer<Int>,
        weight: UnsafePointer<Float>?, ignoreIndex: Int,
        loss: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(rows, cost: classes * 4) { range in
            for r in range {
                let t = targets[r]
                guard t != ignoreIndex else {
                    loss[r] = 0
                    logSumExp[r] = 0
                    continue
                }
                let xr = x + r * classes
                var m = -Float.infinity
                for c in 0..<classes { m = Swift.max(m, xr[c]) }
                var s: Float = 0
                for c in 0..<classes { s += Foundation.exp(xr[c] - m) }
                let lse = m + Foundation.log(s)
                logSumExp[r] = lse
                loss[r] = (lse - xr[t]) * (weight?[r] ?? 1)
            }
        }
    }

    /// dx[r, c] = g[r] * w[r] * (softmax(x[r])[c] - [c == t[r]]), a zero row where ignored.
    // x, dx: (rows, classes), logSumExp/targets/weight: (rows), gradOut: (rows) or (1)
    public static func crossEntropyBackward(
        _ x: UnsafePointer<Float>, logSumExp: UnsafePointer<Float>, rows: Int, classes: Int,
        targets: UnsafePointer<Int>, weight: UnsafePointer<Float>?, ignoreIndex: Int,
        gradOut: UnsafePointer<Float>, gradStride: Int, scale: Float,
        dx: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(rows, cost: classes * 4) { range in
            for r in range {
                let xr = x + r * classes, dr = dx + r * classes
                let t = targets[r]
                guard t != ignoreIndex else {
                    dr.update(repeating: 0, count: classes)
                    continue
                }
                let g = gradOut[r * gradStride] * scale * (weight?[r] ?? 1)
                let lse = logSumExp[r]
                for c in 0..<classes { dr[c] = g * Foundation.exp(xr[c] - lse) }
                dr[t] -= g
            }
        }
    }

    // MARK: Binary cross-entropy with logits

    /// Stable BCE of logit v against target t: max(v, 0) - v t + log(1 + exp(-|v|)).
    @inline(__always)
    static func bce(_ v: Float, _ t: Float) -> Float {
        Swift.max(v, 0) - v * t + Foundation.log1p(Foundation.exp(-Swift.abs(v)))
    }

    /// loss[i] = w[i / weightInner] * bce(x[i], t[i]); a nil weight is 1. `weightInner` is
    /// the number of consecutive elements sharing one weight (1: elementwise weights).
    // x, t, loss: (count), weight: (count / weightInner)
    public static func bceWithLogitsForward(
        _ x: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int,
        weight: UnsafePointer<Float>?, weightInner: Int, loss: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(count, cost: 20) { range in
            for i in range {
                loss[i] = bce(x[i], t[i]) * (weight?[i / weightInner] ?? 1)
            }
        }
    }

    /// dx[i] = g[i] * w[i / weightInner] * (sigmoid(x[i]) - t[i]).
    // x, t, dx: (count), weight: (count / weightInner), gradOut: (count) or (1)
    public static func bceWithLogitsBackward(
        _ x: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int,
        weight: UnsafePointer<Float>?, weightInner: Int,
        gradOut: UnsafePointer<Float>, gradStride: Int, scale: Float,
        dx: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(count, cost: 20) { range in
            for i in range {
                let g = gradOut[i * gradStride] * scale * (weight?[i / weightInner] ?? 1)
                dx[i] = g * (Elementwise.sigmoid(x[i]) - t[i])
            }
        }
    }

    /// Mask form (mmdet CrossEntropyLoss(use_mask=True)): BCE of channel labels[r] of each
    /// RoI's logits against its target map. loss[r, s] = bce(x[r, labels[r], s], t[r, s]).
    // x: (rows, classes, spatial), t/loss: (rows, spatial), labels: (rows)
    public static func maskBCEForward(
        _ x: UnsafePointer<Float>, _ t: UnsafePointer<Float>, labels: UnsafePointer<Int>,
        rows: Int, classes: Int, spatial: Int, loss: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(rows, cost: spatial * 20) { range in
            for r in range {
                let xr = x + (r * classes + labels[r]) * spatial
                let tr = t + r * spatial, lr = loss + r * spatial
                for s in 0..<spatial { lr[s] = bce(xr[s], tr[s]) }
            }
        }
    }

    /// dx on channel labels[r] is g * (sigmoid(x) - t); every other channel gets 0.
    // x, dx: (rows, classes, spatial), t: (rows, spatial), labels: (rows),
    // gradOut: (rows, spatial) or (1)
    public static func maskBCEBackward(
        _ x: UnsafePointer<Float>, _ t: UnsafePointer<Float>, labels: UnsafePointer<Int>,
        rows: Int, classes: Int, spatial: Int,
        gradOut: UnsafePointer<Float>, gradStride: Int, scale: Float,
        dx: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(rows, cost: classes * spatial) { range in
            for r in range {
                dx.advanced(by: r * classes * spatial).update(repeating: 0, count: classes * spatial)
                let off = (r * classes + labels[r]) * spatial
                let xr = x + off, dr = dx + off, tr = t + r * spatial
                for s in 0..<spatial {
                    let g = gradOut[(r * spatial + s) * gradStride] * scale
                    dr[s] = g * (Elementwise.sigmoid(xr[s]) - tr[s])
                }
            }
        }
    }

    // MARK: L1 and smooth L1

    /// loss[i] = w[i / weightInner] * f(p[i] - t[i]) with f(d) = 0.5 d^2 / beta where
    /// |d| < beta, else |d| - 0.5 beta. beta 0 gives plain L1, f(d) = |d|.
    // p, t, loss: (count), weight: (count / weightInner)
    public static func smoothL1Forward(
        _ p: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int, beta: Float,
        weight: UnsafePointer<Float>?, weightInner: Int, loss: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(count, cost: 4) { range in
            for i in range {
                let a = Swift.abs(p[i] - t[i])
                let f = a < beta ? 0.5 * a * a / beta : a - 0.5 * beta
                loss[i] = f * (weight?[i / weightInner] ?? 1)
            }
        }
    }

    /// dx[i] = g[i] * w[i / weightInner] * f'(d): d / beta where |d| < beta, else sign(d)
    /// (0 at d == 0, as torch's abs).
    // p, t, dx: (count), weight: (count / weightInner), gradOut: (count) or (1)
    public static func smoothL1Backward(
        _ p: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int, beta: Float,
        weight: UnsafePointer<Float>?, weightInner: Int,
        gradOut: UnsafePointer<Float>, gradStride: Int, scale: Float,
        dx: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(count, cost: 4) { range in
            for i in range {
                let d = p[i] - t[i]
                let df: Float = Swift.abs(d) < beta ? d / beta : (d > 0 ? 1 : (d < 0 ? -1 : 0))
                dx[i] = gradOut[i * gradStride] * scale * (weight?[i / weightInner] ?? 1) * df
            }
        }
    }

    // MARK: Reduction

    /// Sum of `count` elements, accumulated in Double.
    // x: (count)
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc: Double = 0
        for i in 0..<count { acc += Double(x[i]) }
        return Float(acc)
    }
}
