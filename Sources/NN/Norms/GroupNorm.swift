import Autograd
import Config
import Kernels

/// Group normalisation (torch.nn.GroupNorm; Wu & He), affine.
public final class GroupNorm: NormLayer {
    public var training = true
    public let weight, bias: Tensor
    public let groups: Int
    public let eps: Float

    public init(groups: Int, channels: Int, eps: Float = 1e-5) {
        weight = Tensor.ones([channels], requiresGrad: true)
        bias = Tensor.zeros([channels], requiresGrad: true)
        self.groups = groups
        self.eps = eps
    }

    public var parameters: [(String, Tensor)] { [("weight", weight), ("bias", bias)] }

    public func callAsFunction(_ x: Tensor) -> Tensor { apply(x, relu: false) }

    public func normReLU(_ x: Tensor) -> Tensor { apply(x, relu: true) }

    private func apply(_ x: Tensor, relu: Bool) -> Tensor {
        ComplexityCounter.record(self, .groupNorm, x.count * 5)
        return x.groupNorm(groups: groups, weight: weight, bias: bias, eps: eps, relu: relu)
    }

    public func resetAffine(gamma: Float) {
        Init.fill(weight, gamma)
        Init.fill(bias, 0)
    }
}

extension GroupNorm {
    /// `norm_cfg=dict(type='GN', num_groups=32)`.
    public struct Options: NormOptions, Equatable {
        public var groups: Int
        public init(groups: Int) { self.groups = groups }
        public init(config c: ConfigView) throws {
            try c.accept(NormRegistry.commonKeys + ["num_groups"])
            self.init(groups: try c.int("num_groups", atLeast: 1))
        }
        public func invalidChannels(_ channels: Int) -> String? {
            channels % groups == 0 ? nil : "GN num_groups=\(groups) does not divide \(channels) channels"
        }
        public var abbreviation: String { "gn" }
        public func make(channels: Int, eps: Float) -> any NormLayer {
            checkInvariant(channels % groups == 0, "GN: \(channels) channels not divisible by num_groups \(groups)")
            return GroupNorm(groups: groups, channels: channels, eps: eps)
        }
    }
}
