import Foundation
import Structures
import Testing

/// Every annotation of data/coco_sample against pycocotools' `annToRLE` output
/// (fixtures/cocoeval/coco_sample_rle.json): polygons rasterized and merged, uncompressed
/// crowd RLE compressed; the string, the area and toBbox must match bit for bit.
@Suite struct CocoSampleMaskTests {
    struct Expected {
        let id: Int, size: [Int], counts: String, area: Double, bbox: [Double]
    }

    static func expected() throws -> [Expected] {
        let root = try Fixture.json("cocoeval/coco_sample_rle.json") as! [String: Any]
        return (root["annotations"] as! [[String: Any]]).map {
            Expected(id: $0["id"] as! Int, size: $0["size"] as! [Int], counts: $0["counts"] as! String,
                     area: $0["area"] as! Double, bbox: $0["bbox"] as! [Double])
        }
    }

    static func index() throws -> CocoIndex {
        try CocoIndex(contentsOf: Fixture.path("coco_sample/annotations/instances_train2017_sample.json"))
    }

    @Test func everyAnnotationMatchesPycocotools() throws {
        let index = try Self.index()
        let expected = try Self.expected()
        #expect(expected.count == index.annotations.count)
        let byId = Dictionary(index.annotations.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var checked = 0, polygons = 0, multipart = 0, crowd = 0
        for e in expected {
            let ann = try #require(byId[e.id], "annotation \(e.id) missing from the index")
            let image = try #require(index.image(id: ann.imageId))
            let rle = try #require(ann.segmentation).rle(height: image.height, width: image.width)
            if case .polygons(let parts) = ann.segmentation {
                polygons += 1
                if parts.count > 1 { multipart += 1 }
            } else {
                crowd += 1
            }
            #expect([rle.height, rle.width] == e.size, "annotation \(e.id): size")
            #expect(rle.compressedCounts == e.counts, "annotation \(e.id): compressed counts")
            #expect(Double(rle.area) == e.area, "annotation \(e.id): area")
            #expect(rle.boundingBox.array == e.bbox, "annotation \(e.id): toBbox")
            checked += 1
        }
        #expect(checked == 1444)
        #expect(crowd == 14)
        #expect(multipart > 50, "multi-part polygons are covered (\(multipart) of \(polygons))")
    }

    /// String -> counts -> string and counts -> bitmap -> counts are lossless on real masks.
    @Test func roundTrips() throws {
        for e in try Self.expected() {
            let rle = try RLE(compressedCounts: e.counts, height: e.size[0], width: e.size[1])
            try rle.validate()
            #expect(rle.compressedCounts == e.counts)
            #expect(Double(rle.area) == e.area)
            let columnMajor = try rle.decodeColumnMajor()
            #expect(RLE(columnMajor: columnMajor, height: e.size[0], width: e.size[1]) == rle)
            let rowMajor = try rle.decodeRowMajor()
            #expect(rowMajor.count == e.size[0] * e.size[1])
            #expect(RLE(rowMajor: rowMajor, height: e.size[0], width: e.size[1]) == rle)
        }
    }
}
