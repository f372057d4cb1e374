import Autograd
import Config
import Kernels

/// The R-CNN stage's test settings (mmdetection's `test_cfg.rcnn`).
public struct RCNNTestConfig: Sendable {
    public var scoreThreshold: Float = 0.05
    public var iouThreshold: Float = 0.5
    public var maxPerImage = 100
    public var maskThresholdBinary: Float = 0.5

    public init(scoreThreshold: Float = 0.05, iouThreshold: Float = 0.5, maxPerImage: Int = 100, maskThresholdBinary: Float = 0.5) {
        self.scoreThreshold = scoreThreshold
        self.iouThreshold = iouThreshold
        self.maxPerImage = maxPerImage
        self.maskThresholdBinary = maskThresholdBinary
    }

    public init(config c: ConfigView) throws {
        try c.accept(["score_thr", "nms", "max_per_img", "mask_thr_binary"])
        self.init(scoreThreshold: Float(try c.double("score_thr", in: 0...1)), iouThreshold: try ModelRegistry.nms.build(try c.view("nms")),
                  maxPerImage: try c.int("max_per_img", atLeast: 1),
                  maskThresholdBinary: Float(try c.double("mask_thr_binary", default: 0.5, in: 0...1)))
    }
}

extension ConvFCBBoxHead {
    /// mmdetection's BBoxHead._predict_by_feat_single for one image: softmax scores, class-
    /// specific (or class-agnostic, one box for every class) decode clipped to `imgShape`,
    /// optionally rescaled to the original image (multiplying by 1 / `scaleFactor` (w, h)),
    /// then multiclass NMS. rois (R, 5).
    public func predict(clsScore: Tensor, bboxPred: Tensor, rois: Tensor, imgShape: (h: Int, w: Int),
                        rescaleBy scaleFactor: (w: Double, h: Double)?, config cfg: RCNNTestConfig) -> Detections {
        let r = rois.dim(0)
        guard r > 0 else { return .empty }
        let scores = clsScore.softmax(axis: 1).scalars
        let priors = Tensor(shape: [r, 4], (0..<r).flatMap { i in rois.scalars[(5 * i + 1)..<(5 * i + 5)] })
        var boxes = coder.decode(priors, bboxPred, maxShape: imgShape).scalars
        if let s = scaleFactor {
            let f: [Float] = [Float(1 / s.w), Float(1 / s.h)]
            for i in boxes.indices { boxes[i] *= f[i % 2] }
        }
        if classAgnostic {
            // multiclass_nms expands the one box of each RoI to every class.
            boxes = (0..<r).flatMap { i in (0..<numClasses).flatMap { _ in boxes[(4 * i)..<(4 * i + 4)] } }
        }
        return Self.multiclassNMS(boxes: boxes, scores: scores, numClasses: numClasses, config: cfg)
    }

    /// mmdetection's multiclass_nms: every (RoI, class) pair with score > threshold, batched
    /// NMS per class, the first `maxPerImage`. boxes (R, 4 C), scores (R, C + 1) row-major.
    public static func multiclassNMS(boxes: [Float], scores: [Float], numClasses c: Int, config cfg: RCNNTestConfig) -> Detections {
        let r = scores.count / (c + 1)
        var cand: [Float] = [], candScores: [Float] = [], candLabels: [Int] = []
        for i in 0..<r {
            for k in 0..<c where scores[i * (c + 1) + k] > cfg.scoreThreshold {
                cand += boxes[(4 * (i * c + k))..<(4 * (i * c + k) + 4)]
                candScores.append(scores[i * (c + 1) + k])
                candLabels.append(k)
            }
        }
        guard !candScores.isEmpty else { return .empty }
        let keep = Detection.batchedNMS(boxes: Tensor(shape: [candScores.count, 4], cand),
                                        scores: Tensor(shape: [candScores.count], candScores), idxs: candLabels,
                                        iouThreshold: cfg.iouThreshold).prefix(cfg.maxPerImage)
        return Detections(boxes: Tensor(shape: [keep.count, 4], keep.flatMap { cand[(4 * $0)..<(4 * $0 + 4)] }),
                          scores: keep.map { candScores[$0] }, labels: keep.map { candLabels[$0] })
    }
}
