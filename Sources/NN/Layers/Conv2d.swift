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

/// 2-D convolution (torch.nn.Conv2d; mmcv ConvWS2d when `spec` standardizes the weight).
/// Parameters `weight` (out, in/groups, kh, kw) and optional `bias` (out).
public final class Conv2d: Module {
    public var training = true
    public let weight: Tensor
    public let bias: Tensor?
    public let stride, padding, dilation, groups: Int
    public let spec: ConvSpec

    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, spec: ConvSpec = .plain
    ) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: channels \(inChannels) -> \(outChannels) not divisible by groups \(groups)")
        weight = Tensor.zeros([outChannels, inChannels / groups, kernelSize, kernelSize], requiresGrad: true)
        self.bias = bias ? Tensor.zeros([outChannels], requiresGrad: true) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.spec = spec
    }

    public var parameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var outChannels: Int { weight.shape[0] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let w: Tensor
        switch spec {
        case .plain: w = weight
        case .weightStandardized(let eps): w = weight.weightStandardized(eps: eps)
        }
        return x.conv2d(weight: w, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// PyTorch's default initialisation (kaiming-uniform with a = sqrt(5)).
    public func resetParameters(using rng: inout SeededGenerator) {
        Init.pytorchDefault(weight: weight, bias: bias, using: &rng)
    }
}
