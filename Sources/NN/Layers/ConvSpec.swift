import Autograd
import Config
import Kernels

/// How a convolution treats its weight: plain, weight-standardized (mmcv `ConvWS`, Qiao et al.
/// "Micro-Batch Training with Batch-Channel Normalization and Weight Standardization"), or
/// scaled weight-standardized with a learned gain (timm's `ScaledStdConv2d`, Brock et al.
/// "Characterizing signal propagation to close the performance gap in unnormalized ResNets").
public enum ConvSpec: Equatable, Sendable {
    case plain
    case weightStandardized(eps: Float)
    /// w_hat = gain * gamma / sqrt(fan-in) * (w - mean) / sqrt(var + eps); `gamma` is the gain
    /// of the activation that follows (timm folds it into the conv), the gain parameter
    /// (`<conv>.gain`, shape (out, 1, 1, 1)) starts at `gainInit`.
    case scaledWeightStandardized(gamma: Float, eps: Float, gainInit: Float)

    /// Whether the conv has the learned `gain` parameter.
    public var hasGain: Bool {
        if case .scaledWeightStandardized = self { return true }
        return false
    }

    /// From mmcv's `conv_cfg`: None / `Conv` / `Conv2d` is plain, `ConvWS` standardizes.
    public init(config: ConfigView?) throws {
        guard let config else { self = .plain; return }
        self = try Self.registry.build(config)
    }

    /// mmcv's CONV_LAYERS: the `conv_cfg` types, one line each.
    public static let registry = Registry<ConvSpec>("conv_cfg", [
        "Conv": { try $0.accept([]); return .plain },
        "Conv2d": { try $0.accept([]); return .plain },
        "ConvWS": { c in
            try c.accept(["eps"])
            return .weightStandardized(eps: Float(try c.double("eps", default: 1e-5, in: 0...1)))
        },
        // A SwiftDet type: timm's ScaledStdConv2d, with its defaults (gamma 1, eps 1e-6, gain 1).
        "ScaledWS": { c in
            try c.accept(["gamma", "eps", "gain_init"])
            return .scaledWeightStandardized(
                gamma: Float(try c.double("gamma", default: 1, in: 0...1e6)),
                eps: Float(try c.double("eps", default: 1e-6, in: 0...1)),
                gainInit: Float(try c.double("gain_init", default: 1, in: -1e6...1e6)))
        },
    ])
}
