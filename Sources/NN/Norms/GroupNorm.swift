import Autograd

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

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.groupNorm(groups: groups, weight: weight, bias: bias, eps: eps)
    }

    public func resetAffine(gamma: Float) {
        Init.fill(weight, gamma)
        Init.fill(bias, 0)
    }
}
