import Datasets
import Foundation
import Kernels
import Structures
import Testing

/// Every annotation of coco_sample rasterized through the data path (LoadAnnotations with
/// poly2mask) and encoded as a compressed RLE equals pycocotools' `annToRLE`
/// (Tests/Fixtures/cocoeval/coco_sample_rle.json), bit for bit.
@Suite struct RLEThroughDatasetTests {
    @Test func everyAnnotationMatchesPycocotools() throws {
        let path = try TestData.fixture("cocoeval/coco_sample_rle.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var expected: [Int: String] = [:]
        for a in json["annotations"] as! [[String: Any]] { expected[a["id"] as! Int] = (a["counts"] as! String) }
        let root = try TestData.cocoSample
        let index = try CocoDataset.readIndex(root + "/annotations/instances_train2017_sample.json")
        let load = LoadAnnotations(withMask: true)
        var checked = 0
        for img in index.images {
            let anns = index.annotations(imageId: img.id)
            let info = DataInfo(imgId: img.id, imgPath: "", height: img.height, width: img.width, instances: anns.map {
                InstanceInfo(bbox: [0, 0, 1, 1], label: 0, ignoreFlag: false, mask: $0.segmentation, annotationId: $0.id)
            }, annotationFile: "coco_sample")
            var results = PipelineResults(info: info)
            results.oriShape = [img.height, img.width]
            var rng = SeededGenerator(seed: 0)
            try load.apply(&results, rng: &rng)
            guard case .bitmap(let masks)? = results.gtMasks else { Issue.record("no masks"); return }
            for (i, ann) in anns.enumerated() {
                let rle = RLE(rowMajor: Array(masks.mask(i)), height: img.height, width: img.width)
                #expect(rle.compressedCounts == expected[ann.id], "annotation \(ann.id)")
                checked += 1
            }
        }
        #expect(checked == 1444)
    }
}

/// The ground truth `test --show-dir` draws: every instance that is not a crowd annotation,
/// with its box as given and its mask equal to pycocotools' (the RLE fixture above).
@Suite struct GroundTruthOfAnImageTests {
    @Test func crowdLeftOutMasksAsPycocotools() throws {
        let path = try TestData.fixture("cocoeval/coco_sample_rle.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var expected: [Int: String] = [:]
        for a in json["annotations"] as! [[String: Any]] { expected[a["id"] as! Int] = (a["counts"] as! String) }
        let root = try TestData.cocoSample
        let dataset = try CocoDataset(annotationFile: root + "/annotations/instances_train2017_sample.json",
                                      imagePrefix: root + "/images", testMode: true, pipeline: Pipeline([]),
                                      onBadSample: .skip, warn: { _ in })  // 144 of its images are not in the clone
        var crowdImages = 0, checked = 0
        for i in 0..<dataset.count {
            let info = dataset.info(i)
            let kept = info.instances.filter { !$0.ignoreFlag }
            if kept.count < info.instances.count { crowdImages += 1 }
            let gt = try info.groundTruth()
            #expect(gt.labels == kept.map(\.label) && gt.boxes.count == kept.count)
            #expect(gt.boxes.count == 0 || gt.boxes[0].x1 == Float(kept[0].bbox[0]))
            guard let masks = gt.masks else { #expect(kept.allSatisfy { $0.mask == nil }); continue }
            #expect(masks.height == info.height && masks.width == info.width)
            for (j, instance) in kept.enumerated() {
                let rle = RLE(rowMajor: Array(masks.mask(j)), height: info.height, width: info.width)
                #expect(rle.compressedCounts == expected[instance.annotationId], "annotation \(instance.annotationId)")
                checked += 1
            }
        }
        #expect(crowdImages > 0 && checked > 1000, "\(crowdImages) images with crowds, \(checked) masks")
    }
}
