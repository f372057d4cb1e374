import Evaluation
import Structures
import Testing

/// The printed forms: pycocotools' 12 summary lines and mmdetection's classwise table.
@Suite struct SummaryTests {
    static func tiny() throws -> CocoAccumulation {
        let gt = try CocoIndex(contentsOf: Fixture.path("cocoeval/tiny/gt.json"))
        let dt = try CocoResults(contentsOf: Fixture.path("cocoeval/tiny/dt.json"), groundTruth: gt)
        return try CocoEval(groundTruth: gt, results: dt, params: CocoEvalParams(iouType: .bbox)).evaluate().accumulate()
    }

    /// What pycocotools 2.0.11 printed for tiny (bbox).
    @Test func summaryLinesArePycocotools() throws {
        let expected = """
             Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.670
             Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.917
             Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 0.917
             Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 0.551
             Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.789
             Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = -1.000
             Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.458
             Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = 0.725
             Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.725
             Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 0.650
             Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.800
             Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = -1.000
            """
        #expect(try Self.tiny().summarize().text == expected)
    }

    /// terminaltables' AsciiTable of mmdetection's rows for tiny (checked with Python).
    @Test func classwiseTableIsMmdetections() throws {
        let rows = try Self.tiny().perCategory(names: [3: "cat3", 17: "cat17"])
        let expected = """
            +----------+-------+--------+--------+-------+-------+-------+
            | category | mAP   | mAP_50 | mAP_75 | mAP_s | mAP_m | mAP_l |
            +----------+-------+--------+--------+-------+-------+-------+
            | cat3     | 0.789 | 1.0    | 1.0    | nan   | 0.789 | nan   |
            | cat17    | 0.551 | 0.835  | 0.835  | 0.551 | nan   | nan   |
            +----------+-------+--------+--------+-------+-------+-------+
            """
        #expect(ClasswiseTable.render(rows) == expected)
        #expect(rows.map(\.categoryId) == [3, 17])
        #expect(rows[0].apSmall == -1 && rows[1].apLarge == -1)
    }
}

/// Edge inputs built in memory.
@Suite struct EmptyInputTests {
    /// No detections at all: categories with ground truth get AP 0 (not -1), as pycocotools'
    /// accumulate gives them when no detection survives.
    @Test func noDetectionsGiveZero() throws {
        let gt = try CocoIndex(contentsOf: Fixture.path("cocoeval/tiny/gt.json"))
        for iouType in CocoEvalParams.IoUType.allCases {
            let summary = try CocoEval(groundTruth: gt, results: CocoResults(detections: []), params: CocoEvalParams(iouType: iouType))
                .evaluate().accumulate().summarize()
            #expect(summary.stats == [0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, -1])
        }
    }

    /// Nothing to evaluate: every number is -1.
    @Test func noImagesGiveMinusOne() throws {
        let gt = try CocoIndex(images: [], categories: [CocoCategory(id: 1, name: "a")], annotations: [])
        let summary = try CocoEval(groundTruth: gt, results: CocoResults(detections: []), params: CocoEvalParams(iouType: .segm))
            .evaluate().accumulate().summarize()
        #expect(summary.stats == [Double](repeating: -1, count: 12))
    }

    /// Unchecked in-memory detections on an image the ground truth lacks: an error, not a trap.
    @Test func unknownImageInMemory() throws {
        let gt = try CocoIndex(contentsOf: Fixture.path("cocoeval/tiny/gt.json"))
        let det = CocoDetection(imageId: 5, categoryId: 3, score: 1, bbox: XYWH(0, 0, 4, 4), area: 16)
        var params = CocoEvalParams(iouType: .segm)
        params.imageIds = gt.sortedImageIds + [5]
        let message = errorText { _ = try CocoEval(groundTruth: gt, results: CocoResults(detections: [det]), params: params).evaluate() }
        #expect(message.contains("image_id 5"), "\(message)")
    }
}
