import Autograd
import Kernels

/// Stochastic gradient descent with momentum, step for step as `torch.optim.SGD`
/// (single-tensor path, maximize=False), over parameter groups:
///
///     d = grad + weight_decay * p
///     buf = d                                   on a parameter's first step
///     buf = momentum * buf + (1 - dampening) * d  afterwards
///     d = nesterov ? d + momentum * buf : buf     (when momentum != 0)
///     p = p - lr * d
///
/// Scalars are cast to Float as torch does for float32 tensors. Each `a + s * b` is rounded
/// once, as torch's vectorized (fused multiply-add) CPU kernels do: the product of two floats
/// is exact in Double, so the sum is formed in Double and rounded to Float.
/// Parameters without a gradient (frozen ones, unused branches) are skipped.
public final class SGD {
    public var groups: [ParamGroup]
    /// Momentum buffers, parallel to `groups[g].params`; nil until a parameter's first step.
    public private(set) var momentumBuffers: [[Tensor?]]

    public init(groups: [ParamGroup]) {
        for g in groups where g.nesterov {
            checkInvariant(g.momentum > 0 && g.dampening == 0, "SGD: nesterov needs momentum > 0 and dampening 0")
        }
        self.groups = groups
        momentumBuffers = groups.map { Array(repeating: nil, count: $0.params.count) }
    }

    /// Applies one update to every parameter that has a gradient.
    public func step() {
        for g in groups.indices {
            let group = groups[g]
            for (i, p) in group.params.enumerated() {
                guard p.requiresGrad, let grad = p.grad else { continue }
                checkInvariant(grad.count == p.count, "SGD: gradient of \(group.names[i]) has \(grad.count) elements, parameter \(p.count)")
                var buffer = momentumBuffers[g][i]
                let first = buffer == nil && group.momentum != 0
                if first { buffer = Tensor.zeros(p.shape) }
                Self.update(p, grad: grad, buffer: buffer, first: first, group: group)
                momentumBuffers[g][i] = buffer
            }
        }
    }

    /// Replaces the momentum buffer of parameter `index` of group `group` (checkpoint loading).
    public func setMomentumBuffer(_ buffer: Tensor?, group: Int, index: Int) {
        checkInvariant(buffer == nil || buffer!.count == groups[group].params[index].count,
                     "SGD: momentum buffer size differs from \(groups[group].names[index])")
        momentumBuffers[group][index] = buffer
    }

    /// The update of one parameter (no allocation: unsafe buffers only).
    private static func update(_ p: Tensor, grad: Tensor, buffer: Tensor?, first: Bool, group: ParamGroup) {
        let wd = Double(Float(group.weightDecay))
        let m = Float(group.momentum)
        let keep = Double(Float(1 - group.dampening))
        let negLR = Double(Float(-group.lr))
        let nesterov = group.nesterov
        grad.withUnsafeBufferPointer { g in
            p.update { w in
                if let buffer {
                    buffer.update { b in
                        for j in 0..<w.count {
                            var d = wd == 0 ? g[j] : Float(Double(g[j]) + wd * Double(w[j]))
                            b[j] = first ? d : Float(Double(b[j] * m) + keep * Double(d))
                            d = nesterov ? Float(Double(d) + Double(m) * Double(b[j])) : b[j]
                            w[j] = Float(Double(w[j]) + negLR * Double(d))
                        }
                    }
                } else {
                    for j in 0..<w.count {
                        let d = wd == 0 ? g[j] : Float(Double(g[j]) + wd * Double(w[j]))
                        w[j] = Float(Double(w[j]) + negLR * Double(d))
                    }
                }
            }
        }
    }
}
