import Autograd
import Config
import Kernels

/// The RPN's proposal settings (mmdetection's `test_cfg.rpn` / `train_cfg.rpn_proposal`).
public struct ProposalConfig: Sendable {
    public var nmsPre = 1000
    public var maxPerImage = 1000
    public var iouThreshold: Float = 0.7
    public var minBBoxSize: Float = 0

    public init(nmsPre: Int = 1000, maxPerImage: Int = 1000, iouThreshold: Float = 0.7, minBBoxSize: Float = 0) {
        self.nmsPre = nmsPre
        self.maxPerImage = maxPerImage
        self.iouThreshold = iouThreshold
        self.minBBoxSize = minBBoxSize
    }

    public init(config c: ConfigView) throws {
        try c.accept(["nms_pre", "max_per_img", "nms", "min_bbox_size", "score_thr"])
        let nmsPre = try c.int("nms_pre", default: -1)
        guard nmsPre == -1 || nmsPre >= 1 else { throw c.error("nms_pre", "\(nmsPre) is not allowed: expected -1 (all) or a count of at least 1") }
        self.init(nmsPre: nmsPre, maxPerImage: try c.int("max_per_img", atLeast: 1),
                  iouThreshold: try ModelRegistry.nms.build(try c.view("nms")),
                  minBBoxSize: Float(try c.double("min_bbox_size", default: 0, atLeast: 0)))
    }
}

/// Proposals of one image: boxes (K, 4) in the resized image and their objectness scores (K).
public struct Proposals {
    public var boxes: Tensor
    public var scores: [Float]
}

extension RPNHead {
    /// mmdetection's RPNHead._predict_by_feat_single for image `n`: per level, the sigmoid
    /// scores in (y, x, anchor) order, the top `nmsPre` when there are more (sorted
    /// descending); decode with clipping to `imgShape` (h, w); drop boxes not wider and
    /// taller than `minBBoxSize`; batched NMS with the level as category; keep `maxPerImage`.
    /// `scores`/`deltas` are the head outputs (treated as constants: proposals carry no
    /// gradient, as mmdetection detaches them).
    public func proposals(scores: [Tensor], deltas: [Tensor], image n: Int, imgShape: (h: Int, w: Int), config cfg: ProposalConfig) -> Proposals {
        let a = anchorGenerator.numBaseAnchors
        var boxScores: [Float] = [], levelIds: [Int] = [], priors: [Float] = [], selDeltas: [Float] = []
        for l in scores.indices {
            let (h, w) = (scores[l].dim(2), scores[l].dim(3))
            let levelScores = hwaOrder(scores[l], image: n, channels: a, h: h, w: w).map(Elementwise.sigmoid)
            let levelDeltas = hwaOrder(deltas[l], image: n, channels: 4 * a, h: h, w: w)
            let anchors = anchorGenerator.anchors(level: l, featmapSize: (h, w)).scalars
            for i in Self.topK(levelScores, cfg.nmsPre) {
                boxScores.append(levelScores[i])
                levelIds.append(l)
                priors += anchors[(4 * i)..<(4 * i + 4)]
                selDeltas += levelDeltas[(4 * i)..<(4 * i + 4)]
            }
        }
        let k = boxScores.count
        let decoded = coder.decode(Tensor(shape: [k, 4], priors), Tensor(shape: [k, 4], selDeltas), maxShape: imgShape)
        let valid = Self.largerThan(decoded, cfg.minBBoxSize)
        let d = decoded.scalars
        let boxes = Tensor(shape: [valid.count, 4], valid.flatMap { d[(4 * $0)..<(4 * $0 + 4)] })
        return Self.suppress(boxes: boxes, scores: valid.map { boxScores[$0] }, levels: valid.map { levelIds[$0] }, config: cfg)
    }

    /// mmdetection's per-level pre-NMS selection: all indices in order when there are at
    /// most `k` (or `k` <= 0), else the `k` highest scores in descending order.
    public static func topK(_ scores: [Float], _ k: Int) -> [Int] {
        guard k > 0, scores.count > k else { return Array(scores.indices) }
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return Array(order.prefix(k))
    }

    /// Indices of boxes (K, 4) wider and taller than `minSize` (mmdetection's min_bbox_size filter).
    public static func largerThan(_ boxes: Tensor, _ minSize: Float) -> [Int] {
        let b = boxes.scalars
        return (0..<boxes.dim(0)).filter { b[4 * $0 + 2] - b[4 * $0] > minSize && b[4 * $0 + 3] - b[4 * $0 + 1] > minSize }
    }

    /// Batched NMS with the level as category, then the first `maxPerImage`.
    public static func suppress(boxes: Tensor, scores: [Float], levels: [Int], config cfg: ProposalConfig) -> Proposals {
        guard !scores.isEmpty else { return Proposals(boxes: Tensor.zeros([0, 4]), scores: []) }
        let kept = Detection.batchedNMS(boxes: boxes, scores: Tensor(shape: [scores.count], scores), idxs: levels,
                                        iouThreshold: cfg.iouThreshold).prefix(cfg.maxPerImage)
        let b = boxes.scalars
        return Proposals(boxes: Tensor(shape: [kept.count, 4], kept.flatMap { b[(4 * $0)..<(4 * $0 + 4)] }),
                         scores: kept.map { scores[$0] })
    }

    /// Image n of a (N, C, H, W) head output as a flat array in (y, x, channel) order, i.e.
    /// the (H, W, A[, 4]) layout mmdetection reaches with permute(1, 2, 0).
    public func hwaOrder(_ t: Tensor, image n: Int, channels c: Int, h: Int, w: Int) -> [Float] {
        t.withUnsafeBufferPointer { src in
            let base = n * c * h * w
            var out = [Float](repeating: 0, count: c * h * w)
            for ch in 0..<c {
                for p in 0..<(h * w) { out[p * c + ch] = src[base + ch * h * w + p] }
            }
            return out
        }
    }
}
