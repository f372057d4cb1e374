import Foundation

/// Softmax and log-softmax over the middle axis of (outer, n, inner), forward and backward.
public enum SoftmaxKernel {
    // x, y: (outer, n, inner)
    public static func forward(
        _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
        log: Bool, out y: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(outer * inner, cost: n * 3) { r in
            for p in r {
                let o = p / inner, i = p % inner
                let xb = x + o * n * inner + i
                let yb = y + o * n * inner + i
                var m = -Float.infinity
                for k in 0..<n { m = Swift.max(m, xb[k * inner]) }
                var s: Float = 0
                for k in 0..<n { s += Foundation.exp(xb[k * inner] - m) }
                if log {
                    let ls = Foundation.log(s) + m
                    for k in 0..<n { yb[k * inner] = xb[k * inner] - ls }
                } else {
                    let inv = 1 / s
                    for k in 0..<n { yb[k * inner] = Foundation.exp(xb[k * inner] - m) * inv }
                }
            }
        }
    }

    /// Given the forward output y and dL/dy, writes dL/dx.
    /// softmax: dx = y * (dy - sum(dy * y)); log-softmax: dx = dy - exp(y) * sum(dy).
    // y, dy, dx: (outer, n, inner)
    public static func backward(
        _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
        log: Bool, dx: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(outer * inner, cost: n * 3) { r in
            for p in r {
                let o = p / inner, i = p % inner
                let off = o * n * inner + i
                let yb = y + off, gb = dy + off, db = dx + off
                var s: Float = 0
                if log {
                    for k in 0..<n { s += gb[k * inner] }
                    for k in 0..<n { db[k * inner] = gb[k * inner] - Foundation.exp(yb[k * inner]) * s }
                } else {
                    for k in 0..<n { s += gb[k * inner] * yb[k * inner] }
                    for k in 0..<n { db[k * inner] = yb[k * inner] * (gb[k * inner] - s) }
                }
            }
        }
    }
}
