import Foundation

/// Elementwise unary functions with their derivatives, as explicit loops per function (the
/// switch sits outside the loop so each loop vectorises).
public enum UnaryOp: Sendable {
    case neg, exp, log, sqrt, abs, relu, sigmoid, square
    /// x * sigmoid(x) (SiLU, swish).
    case silu
    case pow(Float)
    case clamp(min: Float, max: Float)

    /// What `unaryBackward` reads besides dy: the input x, the output y, or neither (so an
    /// autograd op saves only that one).
    public enum Saved: Sendable { case input, output, nothing }
    public var backwardReads: Saved {
        switch self {
        case .neg: return .nothing
        case .exp, .sqrt, .relu, .sigmoid: return .output
        case .log, .abs, .square, .pow, .clamp, .silu: return .input
        }
    }
}

extension Elementwise {
    /// y = f(x).
    // x, y: (count)
    public static func unaryForward(
        _ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
    ) {
        Parallel.forRange(count) { r in
            let lo = r.lowerBound, n = r.count
            let x = x + lo, y = y + lo
            switch op {
            case .neg: for i in 0..<n { y[i] = -x[i] }
            case .exp: for i in 0..<n { y[i] = Foundation.exp(x[i]) }
            case .log: for i in 0..<n { y[i] = Foundation.log(x[i]) }
            case .sqrt: for i in 0..<n { y[i] = x[i].squareRoot() }
            case .abs: for i in 0..<n { y[i] = Swift.abs(x[i]) }
            case .relu: for i in 0..<n { y[i] = Swift.max(x[i], 0) }
            case .sigmoid: for i in 0..<n { y[i] = sigmoid(x[i]) }
            case .square: for i in 0..<n { y[i] = x[i] * x[i] }
            case .silu: for i in 0..<n { y[i] = x[i] * sigmoid(x[i]) }
            case .pow(let p): for i in 0..<n { y[i] = Foundation.pow(x[i], p) }
            case .clamp(let a, let b): for i in 0..<n { y[i] = Swift.min(Swift.max(x[i], a), b) }
            }
        }
    }

    /// dx = dy * f'(x), given x and the forward output y.
    // x, y, dy, dx: (count)
    public static func unaryBackward(
        _ op: UnaryOp, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        Parallel.forRange(count) { r in
            let lo = r.lowerBound, n = r.count
            let x = x + lo, y = y + lo, g = dy + lo, d = dx + lo
            switch op {
            case .neg: for i in 0..<n { d[i] = -g[i] }
            case .exp: for i in 0..<n { d[i] = g[i] * y[i] }
            case .log: for i in 0..<n { d[i] = g[i] / x[i] }
            case .sqrt: for i in 0..<n { d[i] = g[i] * 0.5 / y[i] }
            // g[i] is read before the comparison: a load under a condition keeps the loop scalar.
            case .abs:
                for i in 0..<n {
                    let gi = g[i], xi = x[i]
                    d[i] = xi > 0 ? gi : (xi < 0 ? -gi : 0)
                }
            case .relu:
                for i in 0..<n {
                    let gi = g[i]
                    d[i] = y[i] > 0 ? gi : 0
                }
            case .sigmoid: for i in 0..<n { d[i] = g[i] * y[i] * (1 - y[i]) }
            case .square: for i in 0..<n { d[i] = g[i] * 2 * x[i] }
            case .silu:
                for i in 0..<n {
                    let s = sigmoid(x[i])
                    d[i] = g[i] * s * (1 + x[i] * (1 - s))
                }
            case .pow(let p): for i in 0..<n { d[i] = g[i] * p * Foundation.pow(x[i], p - 1) }
            case .clamp(let a, let b):
                for i in 0..<n {
                    let gi = g[i], xi = x[i]
                    d[i] = (xi >= a && xi <= b) ? gi : 0
                }
            }
        }
    }
}
