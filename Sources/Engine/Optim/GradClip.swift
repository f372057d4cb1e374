import Autograd
import Config
import Foundation

/// mmengine's `clip_grad`: `torch.nn.utils.clip_grad_norm_` (type 'norm', the default) or
/// `clip_grad_value_` (type 'value'), applied to parameters that train and have a gradient; and
/// SwiftDet's type 'agc', the adaptive gradient clipping of NFNets.
public enum GradClip: Equatable {
    /// Scale all gradients by max_norm / (total + 1e-6) when that is below 1; the total is
    /// the p-norm over all gradients (`normType` may be .infinity).
    case norm(maxNorm: Double, normType: Double)
    /// Clamp every gradient element to [-clipValue, clipValue].
    case value(clipValue: Double)
    /// Adaptive gradient clipping (Brock et al. 2021, "High-Performance Large-Scale Image
    /// Recognition Without Normalization"; timm's `adaptive_clip_grad`): per output unit (the
    /// first dimension; a 1-D or scalar parameter is one unit), a gradient whose norm exceeds
    /// `clipFactor * max(||W||, eps)` is scaled down to it. Parameters whose dotted name holds
    /// one of `exclude` (the classifier, as the paper leaves it) are not clipped.
    case agc(clipFactor: Double, eps: Double, exclude: [String])

    /// AGC's default exclusions: the final classification and regression layers.
    public static let agcDefaultExclude = ["fc_cls", "fc_reg", "conv_logits"]

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
        case "agc":
            try c.accept(["type", "clip_factor", "eps", "exclude"])
            let exclude = c.contains("exclude") ? try c.strings("exclude") : Self.agcDefaultExclude
            self = .agc(clipFactor: try c.double("clip_factor", default: 0.01, above: 0), eps: try c.double("eps", default: 1e-3, above: 0),
                        exclude: exclude)
        default:
            throw c.error("type", "clip_grad type must be 'norm', 'value' or 'agc', got '\(type)'")
        }
    }

    /// Clips the gradients of `params` (with their dotted names) in place. Returns the total
    /// norm before clipping for `.norm` (mmengine logs it as `grad_norm`), nil otherwise or when
    /// no gradient exists.
    @discardableResult
    public func apply(to params: [(name: String, tensor: Tensor)]) -> Double? {
        if case .agc(let clipFactor, let eps, let exclude) = self {
            for (name, p) in params where p.requiresGrad && p.grad != nil {
                let dotted = "." + name + "."
                guard !exclude.contains(where: { dotted.contains("." + $0 + ".") }) else { continue }
                Self.adaptiveClip(p, clipFactor: clipFactor, eps: eps)
            }
            return nil
        }
        let grads = params.compactMap { $0.tensor.requiresGrad ? $0.tensor.grad : nil }
        guard !grads.isEmpty else { return nil }
        switch self {
        case .agc:
            return nil
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

    /// AGC on one parameter: each unit's gradient g becomes g * (c max(||w||, eps) / ||g||)
    /// when ||g|| exceeds c max(||w||, eps) (||g|| clamped below at 1e-6, as timm).
    static func adaptiveClip(_ p: Tensor, clipFactor: Double, eps: Double) {
        guard let g = p.grad else { return }
        let units = p.rank > 1 ? p.shape[0] : 1
        let size = units > 0 ? p.count / units : 0
        let weightNorms: [Double] = p.withUnsafeBufferPointer { w in
            (0..<units).map { u in
                var acc = 0.0
                for i in (u * size)..<((u + 1) * size) { acc += Double(w[i]) * Double(w[i]) }
                return acc.squareRoot()
            }
        }
        g.update { b in
            for u in 0..<units {
                var acc = 0.0
                for i in (u * size)..<((u + 1) * size) { acc += Double(b[i]) * Double(b[i]) }
                let gradNorm = acc.squareRoot()
                let maxNorm = Swift.max(weightNorms[u], eps) * clipFactor
                guard gradNorm >= maxNorm else { continue }
                let scale = Float(maxNorm / Swift.max(gradNorm, 1e-6))
                for i in (u * size)..<((u + 1) * size) { b[i] *= scale }
            }
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
