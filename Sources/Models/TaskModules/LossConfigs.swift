import Autograd
import Config

/// A loss config (`loss_cls`, `loss_bbox`, `loss_mask`) as `ModelRegistry.losses` builds it;
/// each head then takes the kind of loss it computes.
public protocol LossSpec: Sendable {}

/// mmdetection's `CrossEntropyLoss` config: softmax, sigmoid (`use_sigmoid`) or per-class mask
/// (`use_mask`) cross-entropy with `loss_weight`.
public struct CrossEntropyLossSpec: LossSpec {
    public var useSigmoid = false, useMask = false
    public var weight: Float = 1

    public init(config c: ConfigView) throws {
        try c.accept(["use_sigmoid", "use_mask", "loss_weight", "reduction", "class_weight", "ignore_index", "avg_non_ignore"])
        useSigmoid = try c.bool("use_sigmoid", default: false)
        useMask = try c.bool("use_mask", default: false)
        guard try c.string("reduction", default: "mean") == "mean" else { throw c.error("reduction", "only 'mean' is supported") }
        if let v = c.value("class_weight"), !v.isNone { throw c.error("class_weight", "class weights are not supported") }
        if try c.bool("avg_non_ignore", default: false) { throw c.error("avg_non_ignore", "avg_non_ignore=True is not supported") }
        weight = Float(try c.double("loss_weight", default: 1, atLeast: 0))
    }
}

/// A classification loss as mmdetection configures it (`CrossEntropyLoss` with use_sigmoid /
/// use_mask and loss_weight). The head decides which form it needs; the config must agree.
public struct ClassLoss: Sendable, Equatable {
    public var weight: Float = 1

    public init(weight: Float = 1) { self.weight = weight }

    /// `loss_cls` / `loss_mask` config, through `ModelRegistry.losses`: `sigmoid` or `mask`
    /// tells what the head computes (softmax otherwise), and a config that says otherwise is
    /// an error.
    public init(config c: ConfigView?, sigmoid: Bool = false, mask: Bool = false) throws {
        guard let c else { return }
        guard let ce = try ModelRegistry.losses.build(c) as? CrossEntropyLossSpec else {
            throw c.error("type", "this head computes a cross-entropy: only CrossEntropyLoss is supported here")
        }
        guard ce.useSigmoid == sigmoid else {
            throw c.error("use_sigmoid", sigmoid ? "this head needs use_sigmoid=True" : "this head needs a softmax loss (use_sigmoid=False)")
        }
        guard ce.useMask == mask else { throw c.error("use_mask", mask ? "a mask head needs use_mask=True" : "use_mask is for mask heads") }
        weight = ce.weight
    }

    /// `loss` scaled by the weight (unchanged for weight 1, as mmdetection's value is).
    public func scaled(_ loss: Tensor) -> Tensor { weight == 1 ? loss : loss * weight }
}

/// A box regression loss as mmdetection configures it: `L1Loss` or `SmoothL1Loss` (beta),
/// with loss_weight, on encoded deltas.
public struct BoxLoss: LossSpec, Equatable {
    public enum Kind: Sendable, Equatable {
        case l1
        case smoothL1(beta: Float)
    }

    public var kind: Kind = .l1
    public var weight: Float = 1

    public init(kind: Kind = .l1, weight: Float = 1) {
        self.kind = kind
        self.weight = weight
    }

    /// `loss_bbox` config, through `ModelRegistry.losses`.
    public init(config c: ConfigView?) throws {
        guard let c else { return }
        guard let box = try ModelRegistry.losses.build(c) as? BoxLoss else {
            throw c.error("type", "a box regression loss is needed here: L1Loss or SmoothL1Loss")
        }
        self = box
    }

    /// mmdetection's `L1Loss` / `SmoothL1Loss` config (as registered).
    public init(registered c: ConfigView) throws {
        if c.typeName == "SmoothL1Loss" {
            try c.accept(["beta", "loss_weight", "reduction"])
            let beta = try c.double("beta", default: 1, above: 0)
            kind = .smoothL1(beta: Float(beta))
        } else {
            try c.accept(["loss_weight", "reduction"])
        }
        guard try c.string("reduction", default: "mean") == "mean" else { throw c.error("reduction", "only 'mean' is supported") }
        weight = Float(try c.double("loss_weight", default: 1, atLeast: 0))
    }

    /// The weighted loss of `pred` against `target` divided by `avgFactor`.
    public func callAsFunction(_ pred: Tensor, _ target: Tensor, weight w: Tensor, avgFactor: Float) -> Tensor {
        let loss = switch kind {
        case .l1: Losses.l1(pred, target, weight: w, avgFactor: avgFactor)
        case .smoothL1(let beta): Losses.smoothL1(pred, target, beta: beta, weight: w, avgFactor: avgFactor)
        }
        return weight == 1 ? loss : loss * weight
    }
}
