import Autograd
import Config

/// A classification loss as mmdetection configures it (`CrossEntropyLoss` with use_sigmoid /
/// use_mask and loss_weight). The head decides which form it needs; the config must agree.
public struct ClassLoss: Sendable, Equatable {
    public var weight: Float = 1

    public init(weight: Float = 1) { self.weight = weight }

    /// `loss_cls` / `loss_mask` config: type CrossEntropyLoss; `sigmoid` or `mask` tells what
    /// the head computes (softmax otherwise), and a config that says otherwise is an error.
    public init(config c: ConfigView?, sigmoid: Bool = false, mask: Bool = false) throws {
        guard let c else { return }
        try c.accept(["type", "use_sigmoid", "use_mask", "loss_weight", "reduction", "class_weight", "ignore_index", "avg_non_ignore"])
        guard try c.string("type") == "CrossEntropyLoss" else { throw c.error("type", "only CrossEntropyLoss is supported here") }
        guard try c.bool("use_sigmoid", default: false) == sigmoid else {
            throw c.error("use_sigmoid", sigmoid ? "this head needs use_sigmoid=True" : "this head needs a softmax loss (use_sigmoid=False)")
        }
        guard try c.bool("use_mask", default: false) == mask else { throw c.error("use_mask", mask ? "a mask head needs use_mask=True" : "use_mask is for mask heads") }
        guard try c.string("reduction", default: "mean") == "mean" else { throw c.error("reduction", "only 'mean' is supported") }
        if let v = c.value("class_weight"), !v.isNone { throw c.error("class_weight", "class weights are not supported") }
        if try c.bool("avg_non_ignore", default: false) { throw c.error("avg_non_ignore", "avg_non_ignore=True is not supported") }
        weight = Float(try c.double("loss_weight", default: 1))
    }

    /// `loss` scaled by the weight (unchanged for weight 1, as mmdetection's value is).
    public func scaled(_ loss: Tensor) -> Tensor { weight == 1 ? loss : loss * weight }
}

/// A box regression loss as mmdetection configures it: `L1Loss` or `SmoothL1Loss` (beta),
/// with loss_weight, on encoded deltas.
public struct BoxLoss: Sendable, Equatable {
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

    public init(config c: ConfigView?) throws {
        guard let c else { return }
        try c.accept(["type", "beta", "loss_weight", "reduction"])
        switch try c.string("type") {
        case "L1Loss": kind = .l1
        case "SmoothL1Loss":
            let beta = try c.double("beta", default: 1)
            guard beta > 0 else { throw c.error("beta", "must be > 0") }
            kind = .smoothL1(beta: Float(beta))
        default: throw c.error("type", "expected L1Loss or SmoothL1Loss")
        }
        guard try c.string("reduction", default: "mean") == "mean" else { throw c.error("reduction", "only 'mean' is supported") }
        weight = Float(try c.double("loss_weight", default: 1))
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
