import Autograd
import Config
import Kernels

/// How a convolution treats its weight: plain, or weight-standardized (mmcv `ConvWS`,
/// Qiao et al. "Micro-Batch Training with Batch-Channel Normalization and Weight
/// Standardization").
public enum ConvSpec: Equatable, Sendable {
    case plain
    case weightStandardized(eps: Float)

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
    ])
}
