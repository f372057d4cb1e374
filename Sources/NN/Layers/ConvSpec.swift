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
        let type = try config.string("type")
        switch type {
        case "Conv", "Conv2d":
            try config.accept(["type"])
            self = .plain
        case "ConvWS":
            try config.accept(["type", "eps"])
            self = .weightStandardized(eps: Float(try config.double("eps", default: 1e-5)))
        default:
            throw config.error("type", "unknown conv_cfg type '\(type)' (expected Conv, Conv2d or ConvWS)")
        }
    }
}
