import Evaluation
import Foundation
import Structures
import Testing

/// Reading results as `loadRes` does, the strict policy, bad files (each error names the file
/// and the entry), and writing our own results atomically.
@Suite struct ResultsTests {
    static func tinyGroundTruth() throws -> CocoIndex {
        try CocoIndex(contentsOf: Fixture.path("cocoeval/tiny/gt.json"))
    }

    static func read(_ json: String, _ gt: CocoIndex, policy: ResultsPolicy = .strict) throws -> CocoResults {
        try CocoResults(text: JSONText(bytes: Array(json.utf8), path: "dt.json"), groundTruth: gt, policy: policy)
    }

    @Test func boxAndMaskRules() throws {
        let gt = try Self.tinyGroundTruth()
        let image = gt.images[0], cat = gt.categories[0].id
        let mask = RLE(box: XYWH(2, 3, 4, 5), height: image.height, width: image.width)
        // Box rule: area from the box even with a mask; no mask: none kept.
        let boxes = try Self.read("""
            [{"image_id": \(image.id), "category_id": \(cat), "bbox": [1, 2, 3, 4.5], "score": 0.5,
              "segmentation": {"size": [\(image.height), \(image.width)], "counts": "\(mask.compressedCounts)"}},
             {"image_id": \(image.id), "category_id": \(cat), "bbox": [0, 0, 2, 2], "score": 0.25}]
            """, gt)
        #expect(boxes.detections[0].area == 13.5 && boxes.detections[0].segmentation == .rle(mask))
        #expect(boxes.detections[1].area == 4 && boxes.detections[1].segmentation == nil)
        // Mask rule (first result without bbox): area and box from the mask unless given.
        let masks = try Self.read("""
            [{"image_id": \(image.id), "category_id": \(cat), "score": 0.5,
              "segmentation": {"size": [\(image.height), \(image.width)], "counts": "\(mask.compressedCounts)"}},
             {"image_id": \(image.id), "category_id": \(cat), "score": 0.5, "bbox": [9, 9, 1, 1],
              "segmentation": {"size": [\(image.height), \(image.width)], "counts": "\(mask.compressedCounts)"}}]
            """, gt)
        #expect(masks.detections[0].area == Double(mask.area) && masks.detections[0].bbox == mask.boundingBox)
        #expect(masks.detections[1].area == Double(mask.area) && masks.detections[1].bbox == XYWH(9, 9, 1, 1))
    }

    /// NaN and infinite scores and boxes (Python's json writes them as NaN / Infinity): an
    /// error naming the entry, unless lenient (#18).
    @Test func nonFiniteScoresAndBoxesAreRefusedWhenStrict() throws {
        let gt = try Self.tinyGroundTruth()
        let image = gt.images[0], cat = gt.categories[0].id
        for (bbox, score, what) in [("[1, 2, 3, 4]", "NaN", "score"), ("[1, 2, Infinity, 4]", "0.5", "bbox"), ("[NaN, 2, 3, 4]", "0.5", "bbox")] {
            let json = "[{\"image_id\": \(image.id), \"category_id\": \(cat), \"bbox\": \(bbox), \"score\": \(score)}]"
            #expect { try Self.read(json, gt) } throws: { "\($0)".contains(what) && "\($0)".contains("finite") && "\($0)".contains("dt.json") }
            #expect(try Self.read(json, gt, policy: .pycocotools).detections.count == 1)
        }
    }

    /// quirks/dt.json holds what pycocotools tolerates: strict names the first such entry.
    @Test func strictPolicyRejectsWhatPycocotoolsTolerates() throws {
        let gt = try CocoIndex(contentsOf: Fixture.path("cocoeval/quirks/gt.json"))
        let path = try Fixture.path("cocoeval/quirks/dt.json")
        let message = errorText { _ = try CocoResults(contentsOf: path, groundTruth: gt) }
        #expect(message.contains("quirks/dt.json") && message.contains("results[6]") && message.contains("mask size [301, 400]"), "\(message)")
        let lenient = try CocoResults(contentsOf: path, groundTruth: gt, policy: .pycocotools)
        #expect(lenient.detections.count == 55)
        #expect(lenient.detections[7].categoryId == 999)
    }

    /// Bad results: (JSON, policy, what the message must contain). Image 7 (240x320) and
    /// category 3 exist.
    static let bad: [(String, ResultsPolicy, [String])] = [
        ("", .strict, ["dt.json", "empty"]),
        ("[]", .strict, ["dt.json", "empty"]),
        ("{\"image_id\": 1}", .strict, ["dt.json", "JSON list"]),
        ("[{\"image_id\": 7, \"category_id\": 3, \"bbox\": [1, 2, 3, 4], \"score\": 0.5},]", .strict, ["dt.json", "trailing comma"]),
        ("[{\"image_id\": 7, \"category_id\": 3, \"bbox\": [1, 2, 3, 4] \"score\": 0.5}]", .strict, ["dt.json", "1:", "JSON syntax error"]),
        ("[{\"image_id\": 77, \"category_id\": 3, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]", .pycocotools,
         ["results[0]", "image_id 77 is not an image"]),
        ("[{\"image_id\": 7, \"category_id\": 3, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}, "
            + "{\"image_id\": 7, \"category_id\": 12, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]", .strict,
         ["dt.json", "results[1]", "category_id 12 is not a category"]),
        ("[{\"image_id\": 7, \"category_id\": 3, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}, "
            + "{\"image_id\": 7, \"category_id\": 3, \"score\": 0.5}]", .strict, ["results[1]", "missing key 'bbox'"]),
        ("[{\"image_id\": 7, \"category_id\": 3, \"bbox\": [1, 2, 3], \"score\": 0.5}]", .strict, ["results[0]", "4 numbers"]),
        ("[{\"image_id\": 7, \"category_id\": 3, \"bbox\": [1, 2, 3, 4]}]", .strict, ["results[0]", "missing key 'score'"]),
        ("[{\"image_id\": 7, \"category_id\": 3, \"bbox\": [1, 2, 3, 4], \"score\": \"high\"}]", .strict, ["results[0]", "'score' must be a number"]),
        ("[{\"image_id\": 7, \"category_id\": 3, \"score\": 0.5}]", .strict, ["results[0]", "needs a 'bbox' or a 'segmentation'"]),
        ("[{\"image_id\": 7, \"category_id\": 3, \"score\": 0.5, \"segmentation\": {\"size\": [4, 4], \"counts\": \"0\"}}]",
         .strict, ["results[0]", "mask size [4, 4] differs"]),
        ("[{\"image_id\": 7, \"category_id\": 3, \"score\": 0.5, \"segmentation\": {\"size\": [4, 4], \"counts\": \"0~\"}}]",
         .pycocotools, ["results[0]", "'~'"]),
        ("[{\"image_id\": 7, \"category_id\": 3, \"score\": 0.5, \"segmentation\": {\"size\": [4, 4], \"counts\": [3, 4]}}]",
         .pycocotools, ["results[0]", "cover 7 pixels"]),
    ]

    @Test(arguments: 0..<bad.count) func badResults(_ i: Int) throws {
        let gt = try Self.tinyGroundTruth()
        #expect(gt.image(id: 7) != nil && gt.category(id: 3) != nil)
        let (json, policy, needles) = Self.bad[i]
        let message = errorText { _ = try Self.read(json, gt, policy: policy) }
        for needle in needles { #expect(message.contains(needle), "case \(i): \(message)") }
    }

    @Test func missingFile() throws {
        let message = errorText { _ = try CocoResults(contentsOf: "/nonexistent/dt.json", groundTruth: try Self.tinyGroundTruth()) }
        #expect(message.contains("/nonexistent/dt.json") && message.contains("cannot open"))
    }

    /// Ground truth segm evaluation cannot use: the error names the annotation.
    @Test func unusableGroundTruthMasks() throws {
        let gt = try Self.tinyGroundTruth()
        let dt = try CocoResults(contentsOf: Fixture.path("cocoeval/tiny/dt.json"), groundTruth: gt)
        for broken in [CocoSegmentation?.none, .polygons([[1, 2, 3, 4]]), .rle(RLE(height: 2, width: 2, counts: [1]))] {
            var annotations = gt.annotations
            annotations[0].segmentation = broken
            let bad = try CocoIndex(images: gt.images, categories: gt.categories, annotations: annotations, path: "gt.json")
            let message = errorText { _ = try CocoEval(groundTruth: bad, results: dt, params: CocoEvalParams(iouType: .segm)).evaluate() }
            #expect(message.contains("gt.json") && message.contains("annotation id \(annotations[0].id)"), "\(message)")
            _ = try CocoEval(groundTruth: bad, results: dt, params: CocoEvalParams(iouType: .bbox)).evaluate()
        }
    }

    /// Our detections written and read back give the same detections, hence the same numbers,
    /// as the in-memory path; the write replaces the file whole and leaves no temporary file.
    @Test func writeReadRoundTrip() throws {
        let gt = try Self.tinyGroundTruth()
        let image = gt.images[0]
        // A count of 44 encodes as '\\' (must be escaped in JSON).
        let slash = RLE(height: image.height, width: image.width, counts: [44, 56, UInt32(image.height * image.width - 100)])
        #expect(slash.compressedCounts.contains("\\"))
        var records: [DetectionRecord] = []
        for (i, ann) in gt.annotations.enumerated() {
            let box = XYWH(ann.bbox.x + Double(Float(0.1) * Float(i)), ann.bbox.y, ann.bbox.w * 0.9, ann.bbox.h)
            let size = gt.image(id: ann.imageId)!
            records.append(DetectionRecord(imageId: ann.imageId, categoryId: ann.categoryId, bbox: box,
                                           score: Double(Float(1) / Float(i + 3)),
                                           mask: RLE(box: box, height: size.height, width: size.width)))
        }
        records.append(DetectionRecord(imageId: image.id, categoryId: gt.categories[0].id, bbox: XYWH(1e-7, 0.1, 1e20, 3), score: 0.3, mask: slash))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-results-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("results.json").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        try ResultsWriter.write(records, to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["results.json"])
        let read = try CocoResults(contentsOf: path, groundTruth: gt)
        let memory = try CocoResults(records: records, groundTruth: gt)
        #expect(read.detections == memory.detections)
        for iouType in CocoEvalParams.IoUType.allCases {
            let a = try CocoEval(groundTruth: gt, results: read, params: CocoEvalParams(iouType: iouType)).evaluate().accumulate()
            let b = try CocoEval(groundTruth: gt, results: memory, params: CocoEvalParams(iouType: iouType)).evaluate().accumulate()
            #expect(a.precision == b.precision && a.recall == b.recall)
        }
        #expect(errorText { try ResultsWriter.write(records, to: directory.path + "/missing/results.json") }.contains("missing/results.json"))
    }

    @Test func recordsFollowThePolicy() throws {
        let gt = try Self.tinyGroundTruth()
        let record = DetectionRecord(imageId: gt.images[0].id, categoryId: 12345, bbox: XYWH(0, 0, 1, 1), score: 1)
        #expect(errorText { _ = try CocoResults(records: [record], groundTruth: gt) }.contains("category_id 12345"))
        #expect(try CocoResults(records: [record], groundTruth: gt, policy: .pycocotools).detections.count == 1)
    }
}
