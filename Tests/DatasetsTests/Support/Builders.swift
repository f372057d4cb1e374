import Datasets
import Foundation
import Kernels
import Structures

/// Datasets of Tests/Fixtures/coco_sample and data/fruits_nuts built in code, and small helpers.
enum Build {
    static func cocoSample(classes: [String]? = nil, filter: CocoDataset.Filter? = nil, testMode: Bool = false,
                           pipeline: Pipeline = Pipeline([])) throws -> CocoDataset {
        let root = try TestData.cocoSample
        // The fixture keeps 16 of the 160 images its annotation file lists: the others are
        // missing on purpose, which `on_bad_sample='skip'` turns from an error into a warning.
        return try CocoDataset(annotationFile: root + "/annotations/instances_train2017_sample.json",
                               imagePrefix: root + "/images", classes: classes, filter: filter, testMode: testMode,
                               pipeline: pipeline, onBadSample: .skip, warn: { _ in })
    }

    static func fruits(_ split: String, classes: [String]? = nil, pipeline: Pipeline = Pipeline([]),
                       onBadSample: BadSamplePolicy = .error) throws -> CocoDataset {
        let root = try TestData.fruitsNuts
        return try CocoDataset(annotationFile: root + "/annotations/instances_\(split).json", imagePrefix: root + "/images",
                               classes: classes, pipeline: pipeline, onBadSample: onBadSample)
    }

    /// LoadImageFromFile -> LoadAnnotations(bbox, mask) -> Resize(scale, keep_ratio) ->
    /// RandomFlip(prob) -> PackDetInputs.
    static func trainPipeline(scale: (Int, Int) = (1333, 800), flip: Double = 0.5, masks: Bool = true) -> Pipeline {
        Pipeline([
            LoadImageFromFile(), LoadAnnotations(withMask: masks),
            Resize(target: .scale(width: scale.0, height: scale.1), keepRatio: true),
            RandomFlip(prob: flip), PackDetInputs(),
        ])
    }

    static func index(of imageId: Int, in ds: CocoDataset) -> Int? {
        ds.dataList.firstIndex { $0.imgId == imageId }
    }

    static func sample(_ ds: CocoDataset, imageId: Int, seed: UInt64 = 0) throws -> PackedSample {
        var rng = SeededGenerator(seed: seed)
        return try ds.sample(index(of: imageId, in: ds)!, rng: &rng)
    }
}

extension InstanceMasks {
    var bitmapData: [UInt8] {
        if case .bitmap(let m) = self { return m.data }
        return []
    }
}
