import Engine
import Evaluation
import Foundation
import Structures
import Testing
import TestSupport

/// CocoMetric as mmdetection's: segm is evaluated without the box (area and box from the
/// mask), so our records' boxes must not matter there; the numbers are pycocotools'.
@Suite struct CocoMetricTests {
    @Test func segmUsesTheMaskAreaAsMmdetectionDropsTheBoxes() throws {
        let dir = try TestFiles.fixture("cocoeval/nobbox")
        let dt = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/dt.json"))) as? [[String: Any]])
        let records: [DetectionRecord] = try dt.map { d in
            let seg = try #require(d["segmentation"] as? [String: Any])
            let size = try #require(seg["size"] as? [Int])
            let mask = try RLE(compressedCounts: try #require(seg["counts"] as? String), height: size[0], width: size[1])
            // A box unrelated to the mask: mmdetection's segm evaluation never reads it.
            return DetectionRecord(imageId: try #require(d["image_id"] as? Int), categoryId: try #require(d["category_id"] as? Int),
                                   bbox: XYWH(0, 0, 1, 1), score: try #require(d["score"] as? Double), mask: mask)
        }
        let metric = try CocoMetric(annotationFile: dir + "/gt.json", metrics: [.segm], classwise: true)
        let result = try metric.evaluate(records)
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json"))) as? [String: Any])
        let segm = try #require(((expected["results"] as? [String: Any])?["segm"] as? [String: Any])?["stats"] as? [Double])
        let ours = try #require(result.stats[.segm])
        for (a, b) in zip(ours, segm) { #expect(abs(a - b) < 1e-12, "\(ours) vs \(segm)") }
        // Logged as mmdetection does: coco/segm_mAP... rounded to 3 decimals, then the table.
        #expect(result.metrics.map(\.0) == CocoMetric.apNames.map { "coco/segm_\($0)" })
        #expect(result.metrics[0].1 == (segm[0] * 1000).rounded() / 1000)
        #expect(result.text.contains("segm_mAP_copypaste: "))
        #expect(result.text.contains("category"))
    }
}
