import Autograd
import Config

/// Switchable normalisation (SwitchNorm2d of Luo et al., "Differentiable Learning-to-Normalize
/// via Switchable Normalization"): IN, LN and BN statistics mixed by learned softmax weights.
/// Keys as the authors' module: weight, bias, mean_weight, var_weight, running_mean,
/// running_var (per-channel tensors are stored as (C) vectors). `SyncSN` (the authors'
/// SyncSwitchableNorm2d) is the same layer with `synchronized` set: in a job of several
/// processes the BN component is the joined batch's (IN and LN stay per sample).
public final class SwitchNorm2d: NormLayer, SynchronizableNorm {
    public var training = true
    public let weight, bias, meanWeight, varWeight: Tensor
    public let runningMean, runningVar: Tensor?
    public let eps, momentum: Float
    public let usingMovingAverage: Bool
    public let synchronized: Bool
    public var reducer: (any StatReducer)?

    public init(_ channels: Int, eps: Float = 1e-5, momentum: Float = 0.9, usingMovingAverage: Bool = true,
                usingBN: Bool = true, lastGamma: Bool = false, synchronized: Bool = false) {
        weight = Tensor.full([channels], lastGamma ? 0 : 1, requiresGrad: true)
        bias = Tensor.zeros([channels], requiresGrad: true)
        meanWeight = Tensor.ones([usingBN ? 3 : 2], requiresGrad: true)
        varWeight = Tensor.ones([usingBN ? 3 : 2], requiresGrad: true)
        runningMean = usingBN ? Tensor.zeros([channels]) : nil
        runningVar = usingBN ? Tensor.zeros([channels]) : nil
        self.eps = eps
        self.momentum = momentum
        self.usingMovingAverage = usingMovingAverage
        self.synchronized = synchronized
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
                     usingMovingAverage: usingMovingAverage, momentum: momentum, eps: eps, reducer: reducer)
    }

    public func resetAffine(gamma: Float) {
        Init.fill(weight, gamma)
        Init.fill(bias, 0)
    }
}

extension SwitchNorm2d {
    /// `norm_cfg=dict(type='SN', using_moving_average=True, using_bn=True, momentum=0.9,
    /// last_gamma=False)`; `momentum` is the weight of the old running value. `type='SyncSN'`:
    /// the same, with the BN component synchronized across the processes of a job.
    public struct Options: NormOptions, Equatable {
        public var usingMovingAverage = true, usingBN = true, lastGamma = false
        public var momentum: Float = 0.9
        public var synchronized = false
        public init(usingMovingAverage: Bool = true, usingBN: Bool = true, momentum: Float = 0.9, lastGamma: Bool = false,
                    synchronized: Bool = false) {
            self.usingMovingAverage = usingMovingAverage
            self.usingBN = usingBN
            self.momentum = momentum
            self.lastGamma = lastGamma
            self.synchronized = synchronized
        }
        public init(config c: ConfigView, synchronized: Bool = false) throws {
            try c.accept(NormRegistry.commonKeys + ["momentum", "using_moving_average", "using_bn", "last_gamma"])
            self.init(usingMovingAverage: try c.bool("using_moving_average", default: true), usingBN: try c.bool("using_bn", default: true),
                      momentum: Float(try c.double("momentum", default: 0.9, in: 0...1)), lastGamma: try c.bool("last_gamma", default: false),
                      synchronized: synchronized)
        }
        public var abbreviation: String { "sn" }
        public func make(channels: Int, eps: Float) -> any NormLayer {
            SwitchNorm2d(channels, eps: eps, momentum: momentum, usingMovingAverage: usingMovingAverage, usingBN: usingBN,
                         lastGamma: lastGamma, synchronized: synchronized)
        }
    }
}
