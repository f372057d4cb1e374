import Kernels

// neg, exp, log, sqrt, pow (scalar exponent), abs, clamp, relu, sigmoid, silu.

extension Tensor {
    /// Applies `kernel` elementwise and records `op`; the backward is the kernel's derivative.
    private func unary(_ op: OpKind, _ kernel: UnaryOp) -> Tensor {
        let out = Tensor(uninitialized: shape)
        Elementwise.unaryForward(kernel, ptr, out.ptr, count: count)
        // Only what the derivative reads is saved (the output as a view, so the node does not
        // retain `out`): ReLU keeps its output, not its input.
        let saved: Tensor? = switch kernel.backwardReads {
        case .input: self.detach()
        case .output: out.detach()
        case .nothing: nil
        }
        let inShape = shape
        return Tensor.record(op, out, inputs: [self]) { g in
            let gx = Tensor(uninitialized: inShape)
            let values = saved?.ptr ?? g.ptr  // unread when nothing is saved
            Elementwise.unaryBackward(kernel, x: values, y: values, dy: g.ptr, dx: gx.ptr, count: gx.count)
            return [gx]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor { x.unary(.neg, .neg) }
    public func exp() -> Tensor { unary(.exp, .exp) }
    public func log() -> Tensor { unary(.log, .log) }
    public func sqrt() -> Tensor { unary(.sqrt, .sqrt) }
    /// x^p for a scalar exponent p.
    public func pow(_ p: Float) -> Tensor { unary(.pow, p == 2 ? .square : .pow(p)) }
    /// |x|, with gradient sign(x) (0 at 0, as torch).
    public func abs() -> Tensor { unary(.abs, .abs) }
    /// min(max(x, lo), hi); the gradient passes where lo <= x <= hi (as torch.clamp).
    public func clamp(min lo: Float = -.infinity, max hi: Float = .infinity) -> Tensor {
        unary(.clamp, .clamp(min: lo, max: hi))
    }
    public func relu() -> Tensor { unary(.relu, .relu) }
    public func sigmoid() -> Tensor { unary(.sigmoid, .sigmoid) }
    /// x * sigmoid(x) (torch.nn.SiLU).
    public func silu() -> Tensor { unary(.silu, .silu) }
}
