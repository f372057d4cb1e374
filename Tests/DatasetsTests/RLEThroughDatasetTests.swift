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
