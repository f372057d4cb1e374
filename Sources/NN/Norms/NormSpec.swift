import Autograd
import Config

/// A normalisation layer built from a `NormSpec`: a module mapping (N, C, H, W) to the same shape.
public protocol NormLayer: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
    /// Sets weight 1 / bias 0 (mmcv's constant_init(norm, 1, bias=0)); `gamma` 0 for
    /// zero-init residual and SN's last_gamma.
    func resetAffine(gamma: Float)
}

/// What `norm_cfg` asks for, parsed once and passed down (house rule 5): BN (trainable or
/// frozen), GN with its groups, or Switchable Norm with its options.
public struct NormSpec: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case batchNorm(momentum: Float)
        case groupNorm(groups: Int)
        /// Switchable Normalization (Luo et al.); `momentum` is the weight of the old running value.
        case switchNorm(usingMovingAverage: Bool, usingBN: Bool, momentum: Float, lastGamma: Bool)
    }

    public var kind: Kind
    public var eps: Float
    /// mmcv's `requires_grad`: whether γ and β train.
    public var requiresGrad: Bool

    public init(kind: Kind, eps: Float = 1e-5, requiresGrad: Bool = true) {
        self.kind = kind
        self.eps = eps
        self.requiresGrad = requiresGrad
    }

    /// From mmcv's `norm_cfg` (`type` BN / BN2d / SyncBN / GN / SN, plus their options).
    public init(config c: ConfigView) throws {
        let type = try c.string("type")
        let requiresGrad = try c.bool("requires_grad", default: true)
        let eps = Float(try c.double("eps", default: 1e-5))
        switch type {
        case "BN", "BN2d", "BatchNorm", "BatchNorm2d", "SyncBN":
            try c.accept(["type", "requires_grad", "eps", "momentum"])
            self.init(kind: .batchNorm(momentum: Float(try c.double("momentum", default: 0.1))), eps: eps, requiresGrad: requiresGrad)
        case "GN":
            try c.accept(["type", "requires_grad", "eps", "num_groups"])
            self.init(kind: .groupNorm(groups: try c.int("num_groups")), eps: eps, requiresGrad: requiresGrad)
        case "SN":
            try c.accept(["type", "requires_grad", "eps", "momentum", "using_moving_average", "using_bn", "last_gamma"])
            self.init(
                kind: .switchNorm(
                    usingMovingAverage: try c.bool("using_moving_average", default: true),
                    usingBN: try c.bool("using_bn", default: true),
                    momentum: Float(try c.double("momentum", default: 0.9)),
                    lastGamma: try c.bool("last_gamma", default: false)),
                eps: eps, requiresGrad: requiresGrad)
        default:
            throw c.error("type", "unknown norm_cfg type '\(type)' (expected BN, SyncBN, GN or SN)")
        }
    }

    /// mmcv's attribute abbreviation: `bn`, `gn`, `sn` (so `bn1`, `gn`, `sn2` ...).
    public var abbreviation: String {
        switch kind {
        case .batchNorm: "bn"
        case .groupNorm: "gn"
        case .switchNorm: "sn"
        }
    }

    public var isBatchNorm: Bool { if case .batchNorm = kind { true } else { false } }

    /// A fresh layer over `channels` channels (weight 1, bias 0, running stats 0/1).
    public func make(channels: Int) -> any NormLayer {
        let layer: any NormLayer
        switch kind {
        case .batchNorm(let m): layer = BatchNorm2d(channels, eps: eps, momentum: m)
        case .groupNorm(let g):
            precondition(channels % g == 0, "GN: \(channels) channels not divisible by num_groups \(g)")
            layer = GroupNorm(groups: g, channels: channels, eps: eps)
        case .switchNorm(let ma, let bn, let m, let lg):
            layer = SwitchNorm2d(channels, eps: eps, momentum: m, usingMovingAverage: ma, usingBN: bn, lastGamma: lg)
        }
        layer.setRequiresGrad(requiresGrad)
        return layer
    }
}
