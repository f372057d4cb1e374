import Foundation
import Kernels

// neg, exp, log, sqrt, pow (scalar exponent), abs, clamp, relu, sigmoid.

extension Tensor {
    /// Applies `f` elementwise and records `op` with dL/dx = g * df(x, y) (not recorded).
    private func unary(
        _ op: OpKind, _ f: (Float) -> Float, derivative: @escaping (_ x: Float, _ y: Float) -> Float
    ) -> Tensor {
        let out = Tensor(uninitialized: shape)
        Elementwise.map(ptr, out.ptr, count: count, f)
        let y = out.detach()  // saved output: a view, so the node does not retain `out`
        return Tensor.record(op, out, inputs: [self]) { g in
            let gx = Tensor(uninitialized: self.shape)
            Elementwise.zip3(g.ptr, self.ptr, y.ptr, gx.ptr, count: self.count) { g, x, y in
                g * derivative(x, y)
            }
            return [gx]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        x.unary(.neg, { -$0 }, derivative: { _, _ in -1 })
    }
    public func exp() -> Tensor { unary(.exp, Foundation.exp, derivative: { _, y in y }) }
    public func log() -> Tensor { unary(.log, Foundation.log, derivative: { x, _ in 1 / x }) }
    public func sqrt() -> Tensor {
        unary(.sqrt, { $0.squareRoot() }, derivative: { _, y in 0.5 / y })
    }
    /// x^p for a scalar exponent p.
    public func pow(_ p: Float) -> Tensor {
        if p == 2 { return unary(.pow, { $0 * $0 }, derivative: { x, _ in 2 * x }) }
        return unary(.pow, { Foundation.pow($0, p) }, derivative: { x, _ in p * Foundation.pow(x, p - 1) })
    }
    /// |x|, with gradient sign(x) (0 at 0, as torch).
    public func abs() -> Tensor {
        unary(.abs, { Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
    }
    /// min(max(x, lo), hi); the gradient passes where lo <= x <= hi (as torch.clamp).
    public func clamp(min lo: Float = -.infinity, max hi: Float = .infinity) -> Tensor {
        unary(.clamp, { Swift.min(Swift.max($0, lo), hi) }, derivative: { x, _ in
            (x >= lo && x <= hi) ? 1 : 0
        })
    }
    public func relu() -> Tensor {
        unary(.relu, { $0 > 0 ? $0 : 0 }, derivative: { _, y in y > 0 ? 1 : 0 })
    }
    public func sigmoid() -> Tensor {
        unary(.sigmoid, Elementwise.sigmoid, derivative: { _, y in y * (1 - y) })
    }
}
