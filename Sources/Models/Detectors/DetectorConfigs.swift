import Autograd
import Config
import Structures

/// The detector's training settings (mmdetection's `model.train_cfg`: rpn, rpn_proposal, rcnn).
public struct DetectorTrainConfig: Sendable {
    public var rpn: RPNTrainConfig
    public var rpnProposal: ProposalConfig
    public var rcnn: RCNNTrainConfig

    public init(rpn: RPNTrainConfig, rpnProposal: ProposalConfig, rcnn: RCNNTrainConfig) {
        self.rpn = rpn
        self.rpnProposal = rpnProposal
        self.rcnn = rcnn
    }

    public init(config c: ConfigView) throws {
        try c.accept(["rpn", "rpn_proposal", "rcnn"])
        self.init(rpn: try RPNTrainConfig(config: try c.view("rpn")), rpnProposal: try ProposalConfig(config: try c.view("rpn_proposal")),
                  rcnn: try RCNNTrainConfig(config: try c.view("rcnn")))
    }
}

/// The detector's test settings (mmdetection's `model.test_cfg`: rpn, rcnn).
public struct DetectorTestConfig: Sendable {
    public var rpn: ProposalConfig
    public var rcnn: RCNNTestConfig

    public init(rpn: ProposalConfig = ProposalConfig(), rcnn: RCNNTestConfig = RCNNTestConfig()) {
        self.rpn = rpn
        self.rcnn = rcnn
    }

    public init(config c: ConfigView) throws {
        try c.accept(["rpn", "rcnn"])
        self.init(rpn: try ProposalConfig(config: try c.view("rpn")), rcnn: try RCNNTestConfig(config: try c.view("rcnn")))
    }
}

/// A detector call that cannot run on its input or settings (a missing train_cfg, a sample
/// without the meta information the step needs, masks that cannot be rasterized).
public struct DetectorError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The geometry of one sample that the detector reads from its meta information.
public struct SampleGeometry {
    /// Resized image (h, w): proposals and boxes are clipped to it.
    public var imgShape: (h: Int, w: Int)
    /// Padded image (h, w): anchors beyond it are invalid.
    public var padShape: (h: Int, w: Int)
    /// Original image (h, w): predictions are rescaled into it.
    public var oriShape: (h: Int, w: Int)
    /// (w, h) factors from the original to the resized image.
    public var scaleFactor: (w: Double, h: Double)

    /// Meta fields as the data pipeline and preprocessor fill them; a missing img_shape falls
    /// back to the batch input (a sample fed without a pipeline), as do pad and original shapes.
    public init(_ meta: SampleMeta, input: (h: Int, w: Int), index: Int) throws {
        func pair(_ v: [Int]?, _ name: String) throws -> (Int, Int)? {
            guard let v else { return nil }
            guard v.count >= 2, v[0] > 0, v[1] > 0 else { throw DetectorError("sample \(index): \(name) \(v) is not (height, width)") }
            return (v[0], v[1])
        }
        imgShape = try pair(meta.imgShape, "img_shape") ?? input
        padShape = try pair(meta.padShape, "pad_shape") ?? input
        oriShape = try pair(meta.oriShape, "ori_shape") ?? imgShape
        if let s = meta.scaleFactor {
            guard s.count == 2, s[0] > 0, s[1] > 0 else { throw DetectorError("sample \(index): scale_factor \(s) is not (w, h) > 0") }
            scaleFactor = (s[0], s[1])
        } else {
            scaleFactor = (1, 1)
        }
    }
}

/// Non-finite values (NaN or inf) where the detector computes indices from them (RPN outputs
/// before decoding proposals, box head outputs): training has diverged. Thrown instead of
/// going on to positions and argmaxes that would be meaningless.
public struct NonFiniteError: Error, CustomStringConvertible {
    public let stage: String
    public var description: String { "non-finite values (NaN or inf) in \(stage): training has diverged" }

    /// Throws when any element of `tensors` is NaN or infinite.
    static func check(_ tensors: [Tensor], _ stage: String) throws {
        for t in tensors {
            let finite = t.withUnsafeBufferPointer { b in
                var ok = true
                for v in b where !v.isFinite { ok = false; break }
                return ok
            }
            if !finite { throw NonFiniteError(stage: stage) }
        }
    }
}
