import Autograd

/// Switchable normalisation (SwitchNorm2d of Luo et al., "Differentiable Learning-to-Normalize
/// via Switchable Normalization"): IN, LN and BN statistics mixed by learned softmax weights.
/// Keys as the authors' module: weight, bias, mean_weight, var_weight, running_mean,
/// running_var (per-channel tensors are stored as (C) vectors).
public final class SwitchNorm2d: NormLayer {
    public var training = true
    public let weight, bias, meanWeight, varWeight: Tensor
    public let runningMean, runningVar: Tensor?
    public let eps, momentum: Float
    public let usingMovingAverage: Bool

    public init(_ channels: Int, eps: Float = 1e-5, momentum: Float = 0.9, usingMovingAverage: Bool = true,
                usingBN: Bool = true, lastGamma: Bool = false) {
        weight = Tensor.full([channels], lastGamma ? 0 : 1, requiresGrad: true)
        bias = Tensor.zeros([channels], requiresGrad: true)
        meanWeight = Tensor.ones([usingBN ? 3 : 2], requiresGrad: true)
        varWeight = Tensor.ones([usingBN ? 3 : 2], requiresGrad: true)
        runningMean = usingBN ? Tensor.zeros([channels]) : nil
        runningVar = usingBN ? Tensor.zeros([channels]) : nil
        self.eps = eps
        self.momentum = momentum
        self.usingMovingAverage = usingMovingAverage
    }

    public var parameters: [(String, Tensor)] {
        [("weight", weight), ("bias", bias), ("mean_weight", meanWeight), ("var_weight", varWeight)]
    }
    public var buffers: [NamedBuffer] {
        guard let runningMean, let runningVar else { return [] }
        return [NamedBuffer("running_mean", runningMean), NamedBuffer("running_var", runningVar)]
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.switchNorm(weight: weight, bias: bias, meanWeight: meanWeight, varWeight: varWeight,
                     runningMean: runningMean, runningVar: runningVar, training: training,
                     usingMovingAverage: usingMovingAverage, momentum: momentum, eps: eps)
    }

    public func resetAffine(gamma: Float) {
        Init.fill(weight, gamma)
        Init.fill(bias, 0)
    }
}
