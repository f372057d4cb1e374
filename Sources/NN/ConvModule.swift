import Autograd
import Kernels

/// mmcv's ConvModule: conv -> norm -> ReLU, with attribute names `conv` and the norm's
/// abbreviation (`bn`, `gn`, `sn`), so keys read `neck.fpn_convs.0.conv.weight`,
/// `roi_head.bbox_head.shared_convs.0.gn.weight`.
public final class ConvModule: Module {
    /// mmcv's `bias`: 'auto' means a bias exactly when there is no norm layer.
    public enum Bias: Equatable, Sendable { case auto, on, off }

    public var training = true
    public let conv: Conv2d
    public let norm: (any NormLayer)?
    public let normName: String?
    public let activate: Bool

    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bias = .auto, conv: ConvSpec = .plain,
        norm: NormSpec? = nil, activate: Bool = true
    ) throws {
        let withBias = bias == .on || (bias == .auto && norm == nil)
        self.conv = try Conv2d(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                           dilation: dilation, groups: groups, bias: withBias, spec: conv)
        self.norm = norm?.make(channels: outChannels)
        self.normName = norm?.abbreviation
        self.activate = activate
    }

    public var children: [(String, any Module)] {
        var out: [(String, any Module)] = [("conv", conv)]
        if let norm, let normName { out.append((normName, norm)) }
        return out
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = conv(x)
        if let norm { return activate ? norm.normReLU(y) : norm(y) }
        return activate ? y.relu() : y
    }

    /// mmcv's ConvModule.init_weights: kaiming-normal (fan_out, relu) conv weight, zero bias;
    /// norm weight 1 and bias 0.
    public func initWeights(using rng: inout SeededGenerator) {
        Init.kaiming(conv.weight, mode: .fanOut, nonlinearity: "relu", using: &rng)
        if let b = conv.bias { Init.fill(b, 0) }
        norm?.resetAffine(gamma: 1)
    }
}
