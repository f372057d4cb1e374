import Config
import Kernels
import Structures

/// mmdetection's `PackDetInputs`: splits the instances by their ignore flag into
/// `gt_instances` and `ignored_instances`, and keeps the meta keys asked for (those present).
public struct PackDetInputs: Transform {
    public static let defaultMetaKeys = ["img_id", "img_path", "ori_shape", "img_shape", "scale_factor", "flip", "flip_direction"]
    public static let knownMetaKeys = defaultMetaKeys + ["pad_shape"]

    public let metaKeys: [String]

    public init(metaKeys: [String] = PackDetInputs.defaultMetaKeys) {
        self.metaKeys = metaKeys
    }

    public init(config c: ConfigView) throws {
        try c.accept(["meta_keys"])
        let keys = try c.strings("meta_keys", default: Self.defaultMetaKeys)
        for k in keys where !Self.knownMetaKeys.contains(k) {
            throw c.error("meta_keys", "unknown meta key '\(k)' (known: \(Self.knownMetaKeys.joined(separator: ", ")))")
        }
        self.init(metaKeys: keys)
    }

    public func apply(_ results: inout PipelineResults, rng: inout SeededGenerator) throws {
        guard let img = results.img else { throw DatasetError.pipeline("PackDetInputs needs an image (LoadImageFromFile first)") }
        let n = results.gtLabels?.count ?? results.gtBboxes?.count ?? results.gtMasks?.count ?? 0
        let flags = results.gtIgnoreFlags ?? [Bool](repeating: false, count: n)
        let valid = flags.indices.filter { !flags[$0] }, ignored = flags.indices.filter { flags[$0] }
        var sample = DetSample(meta: meta(results))
        sample.gtInstances = instances(results, valid)
        sample.ignoredInstances = instances(results, ignored)
        results.packed = PackedSample(image: img, sample: sample)
    }

    private func instances(_ r: PipelineResults, _ idx: [Int]) -> InstanceData {
        InstanceData(bboxes: r.gtBboxes?.selecting(idx) ?? .empty,
                     labels: r.gtLabels.map { l in idx.map { l[$0] } } ?? [],
                     masks: r.gtMasks?.selecting(idx))
    }

    private func meta(_ r: PipelineResults) -> SampleMeta {
        var m = SampleMeta()
        for key in metaKeys {
            switch key {
            case "img_id": m.imgId = r.info.imgId
            case "img_path": m.imgPath = r.info.imgPath
            case "ori_shape": m.oriShape = r.oriShape
            case "img_shape": m.imgShape = r.imgShape
            case "scale_factor": m.scaleFactor = r.scaleFactor.map { [$0.0, $0.1] }
            case "flip": m.flip = r.flip
            case "flip_direction": m.flipDirection = r.flipDirection
            case "pad_shape": m.padShape = nil
            default: break
            }
        }
        return m
    }
}
