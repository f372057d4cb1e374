import Autograd
import Config
import Foundation
import Kernels

/// mmdetection's `SingleRoIExtractor`: each RoI is pooled (mmcv RoIAlign, aligned) from one
/// pyramid level, chosen by its scale: floor(log2(sqrt(w h) / finest_scale + 1e-6)), clamped
/// to the levels (finest_scale 56: < 112 -> P2, < 224 -> P3, < 448 -> P4, else P5).
public struct SingleRoIExtractor: Sendable {
    public var outputSize: Int
    public var samplingRatio: Int
    public var aligned: Bool
    public var featmapStrides: [Int]
    public var finestScale: Float
    public var outChannels: Int

    public init(outputSize: Int, samplingRatio: Int = 0, aligned: Bool = true, featmapStrides: [Int], finestScale: Float = 56, outChannels: Int) {
        self.outputSize = outputSize
        self.samplingRatio = samplingRatio
        self.aligned = aligned
        self.featmapStrides = featmapStrides
        self.finestScale = finestScale
        self.outChannels = outChannels
    }

    /// The pyramid level of each RoI; rois (R, 5) = (batch index, x1, y1, x2, y2).
    public func levels(_ rois: Tensor) -> [Int] {
        let r = rois.scalars
        return (0..<rois.dim(0)).map { i in
            let scale = ((r[5 * i + 3] - r[5 * i + 1]) * (r[5 * i + 4] - r[5 * i + 2])).squareRoot()
            let level = Foundation.floor(Foundation.log2(scale / finestScale + 1e-6))
            return Int(min(max(level, 0), Float(featmapStrides.count - 1)))
        }
    }

    /// RoI features (R, C, out, out) from the first `featmapStrides.count` maps.
    public func callAsFunction(_ features: [Tensor], rois: Tensor) -> Tensor {
        checkInvariant(rois.rank == 2 && rois.dim(1) == 5, "SingleRoIExtractor: rois must be (R, 5), got \(rois.shape)")
        let count = rois.dim(0)
        let c = features[0].dim(1)
        guard count > 0 else { return Tensor.zeros([0, c, outputSize, outputSize]) }
        let lv = levels(rois)
        let r = rois.scalars
        var parts: [Tensor] = [], order: [Int] = []
        for l in featmapStrides.indices {
            let idx = lv.indices.filter { lv[$0] == l }
            guard !idx.isEmpty else { continue }
            let sub = Tensor(shape: [idx.count, 5], idx.flatMap { r[(5 * $0)..<(5 * $0 + 5)] })
            parts.append(features[l].roiAlign(rois: sub, outputSize: (outputSize, outputSize),
                                              spatialScale: 1 / Float(featmapStrides[l]), samplingRatio: samplingRatio, aligned: aligned))
            order += idx
        }
        // Put the level groups back in RoI order: row order[j] of the output is part row j.
        var inverse = [Int](repeating: 0, count: count)
        for (j, i) in order.enumerated() { inverse[i] = j }
        let stacked = parts.count == 1 ? parts[0] : Tensor.concat(parts, axis: 0)
        return order == Array(0..<count) ? stacked : stacked.indexSelect(axis: 0, inverse)
    }
}

extension SingleRoIExtractor {
    /// mmdetection's `SingleRoIExtractor` config with `roi_layer=dict(type='RoIAlign', ...)`.
    public init(config c: ConfigView) throws {
        try c.accept(["type", "roi_layer", "out_channels", "featmap_strides", "finest_scale", "init_cfg"])
        try c.rejectInitConfig()
        let layer = try ModelRegistry.roiLayers.build(try c.view("roi_layer"))
        self.init(outputSize: layer.outputSize, samplingRatio: layer.samplingRatio,
                  aligned: layer.aligned, featmapStrides: try c.ints("featmap_strides", in: 1...ConfigView.maxSize, count: 1...Int.max),
                  finestScale: Float(try c.int("finest_scale", default: 56, atLeast: 1)), outChannels: try c.int("out_channels", atLeast: 1))
    }
}

/// mmcv's `RoIAlign` config (`roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0)`).
public struct RoIAlignOptions: Sendable {
    /// The largest `output_size` (and `sampling_ratio`): RoI features larger than this cannot be
    /// pooled for hundreds of RoIs in memory.
    public static let largestOutput = 1024
    public var outputSize: Int
    public var samplingRatio: Int
    public var aligned: Bool

    public init(config c: ConfigView) throws {
        try c.accept(["output_size", "sampling_ratio", "aligned", "pool_mode", "use_torchvision"])
        guard try c.string("pool_mode", default: "avg") == "avg" else { throw c.error("pool_mode", "only 'avg' is supported") }
        outputSize = try c.int("output_size", in: 1...RoIAlignOptions.largestOutput, why: "the side of the pooled RoI features")
        samplingRatio = try c.int("sampling_ratio", default: 0, in: 0...RoIAlignOptions.largestOutput, why: "0: adaptive")
        aligned = try c.bool("aligned", default: true)
    }
}
