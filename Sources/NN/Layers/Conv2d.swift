import Autograd
import Config
import Kernels

/// 2-D convolution (torch.nn.Conv2d; mmcv ConvWS2d or timm ScaledStdConv2d when `spec`
/// standardizes the weight). Parameters `weight` (out, in/groups, kh, kw), optional `bias`
/// (out) and, for the scaled standardization, `gain` (out, 1, 1, 1), in timm's key order.
public final class Conv2d: Module {
    public var training = true
    public let weight: Tensor
    public let bias: Tensor?
    public let gain: Tensor?
    public let stride, padding, dilation, groups: Int
    public let spec: ConvSpec

    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, spec: ConvSpec = .plain
    ) throws {
        guard groups >= 1, inChannels % groups == 0, outChannels % groups == 0 else {
            throw ParameterSizeError(description: "Conv2d: channels \(inChannels) -> \(outChannels) are not divisible by groups \(groups)")
        }
        weight = try Tensor.parameter([outChannels, inChannels / groups, kernelSize, kernelSize], "Conv2d weight")
        self.bias = bias ? try Tensor.parameter([outChannels], "Conv2d bias") : nil
        if case .scaledWeightStandardized(_, _, let gainInit) = spec {
            gain = try Tensor.parameter([outChannels, 1, 1, 1], "Conv2d gain")
            Init.fill(gain!, gainInit)
        } else {
            gain = nil
        }
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.spec = spec
    }

    public var parameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) + (gain.map { [("gain", $0)] } ?? [])
    }

    public var outChannels: Int { weight.shape[0] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let w: Tensor
        switch spec {
        case .plain: w = weight
        case .weightStandardized(let eps): w = weight.weightStandardized(eps: eps)
        case .scaledWeightStandardized(let gamma, let eps, _):
            w = weight.scaledWeightStandardized(gain: gain!, scale: gamma / Float(weight.count / weight.shape[0]).squareRoot(), eps: eps)
        }
        let y = x.conv2d(weight: w, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
        ComplexityCounter.record(self, .conv, y.shape[0] * weight.count * y.shape[2] * y.shape[3])
        return y
    }

    /// PyTorch's default initialisation (kaiming-uniform with a = sqrt(5)).
    public func resetParameters(using rng: inout SeededGenerator) {
        Init.pytorchDefault(weight: weight, bias: bias, using: &rng)
    }
}
