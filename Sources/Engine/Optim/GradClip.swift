import Autograd
import Config
import Foundation

/// mmengine's `clip_grad`: `torch.nn.utils.clip_grad_norm_` (type 'norm', the default) or
/// `clip_grad_value_` (type 'value'), applied to parameters that train and have a gradient.
public enum GradClip: Equatable {
    /// Scale all gradients by max_norm / (total + 1e-6) when that is below 1; the total is
    /// the p-norm over all gradients (`normType` may be .infinity).
    case norm(maxNorm: Double, normType: Double)
    /// Clamp every gradient element to [-clipValue, clipValue].
    case value(clipValue: Double)

    /// From `optim_wrapper.clip_grad`.
    public init(config c: ConfigView) throws {
        let type = try c.string("type", default: "norm")
        switch type {
        case "norm":
            try c.accept(["type", "max_norm", "norm_type"])
            let normType: Double
            if case .string(let s)? = c.value("norm_type"), s == "inf" {
                normType = .infinity
            } else {
                normType = try c.double("norm_type", default: 2, above: 0)
            }
            self = .norm(maxNorm: try c.double("max_norm", above: 0), normType: normType)
        case "value":
            try c.accept(["type", "clip_value"])
            self = .value(clipValue: try c.double("clip_value", above: 0))
        default:
            throw c.error("type", "clip_grad type must be 'norm' or 'value', got '\(type)'")
        }
    }

    /// Clips the gradients of `params` in place. Returns the total norm before clipping for
    /// `.norm` (mmengine logs it as `grad_norm`), nil for `.value` or when no gradient exists.
    @discardableResult
    public func apply(to params: [Tensor]) -> Double? {
        let grads = params.compactMap { $0.requiresGrad ? $0.grad : nil }
        guard !grads.isEmpty else { return nil }
        switch self {
        case .value(let clipValue):
            let hi = Float(clipValue), lo = -Float(clipValue)
            for g in grads {
                g.update { b in for j in b.indices { b[j] = Swift.min(Swift.max(b[j], lo), hi) } }
            }
            return nil
        case .norm(let maxNorm, let normType):
            let total = Self.totalNorm(grads, normType)
            let coef = Float(maxNorm) / (Float(total) + 1e-6)
            if coef < 1 {
                for g in grads { g.update { b in for j in b.indices { b[j] *= coef } } }
            }
            return total
        }
    }

    /// The p-norm of all gradient elements together, accumulated in Double.
    static func totalNorm(_ grads: [Tensor], _ p: Double) -> Double {
        var acc = 0.0
        for g in grads {
            g.withUnsafeBufferPointer { b in
                if p == .infinity {
                    for v in b { acc = Swift.max(acc, Double(abs(v))) }
                } else if p == 2 {
                    for v in b { acc += Double(v) * Double(v) }
                } else {
                    for v in b { acc += pow(Double(abs(v)), p) }
                }
            }
        }
        if p == .infinity { return acc }
        return p == 2 ? acc.squareRoot() : pow(acc, 1 / p)
    }
}
