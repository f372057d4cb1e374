import Evaluation
import Structures
import Testing

/// Every case of fixtures/cocoeval against what pycocotools 2.0.11 computed on it: the 12
/// stats, per-category AP/AP50/AP75/AR100, the precision array's shape and the sums of the
/// precision and recall arrays (with their -1 entries), for bbox and segm.
@Suite struct FixtureCaseTests {
    static let cases = ["tiny", "edge", "quirks", "nobbox"]

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let iouType: CocoEvalParams.IoUType
        var testDescription: String { "\(name) \(iouType.rawValue)" }
    }

    static let all = cases.flatMap { name in CocoEvalParams.IoUType.allCases.map { Case(name: name, iouType: $0) } }

    static func evaluate(_ name: String, _ iouType: CocoEvalParams.IoUType) throws -> CocoAccumulation {
        let gt = try CocoIndex(contentsOf: Fixture.path("cocoeval/\(name)/gt.json"))
        let dt = try CocoResults(contentsOf: Fixture.path("cocoeval/\(name)/dt.json"), groundTruth: gt, policy: .pycocotools)
        return try CocoEval(groundTruth: gt, results: dt, params: CocoEvalParams(iouType: iouType), policy: .pycocotools)
            .evaluate().accumulate()
    }

    @Test(arguments: all) func matchesPycocotools(_ c: Case) throws {
        let expected = (try Fixture.json("cocoeval/\(c.name)/expected.json")["results"] as! [String: Any])[c.iouType.rawValue]
            as! [String: Any]
        let accumulation = try Self.evaluate(c.name, c.iouType)
        let summary = try accumulation.summarize()
        let stats = expected["stats"] as! [Double]
        for (i, value) in stats.enumerated() {
            expectNear(summary.stats[i], value, 1e-12, "\(c.testDescription) \(CocoSummary.statNames[i])")
        }
        let shape = accumulation.shape
        #expect([shape.thresholds, shape.recalls, shape.categories, shape.areas, shape.maxDetections]
                == expected["precision_shape"] as! [Int])
        expectNear(accumulation.precision.reduce(0, +), expected["precision_sum"] as! Double, 1e-12, "precision sum")
        expectNear(accumulation.recall.reduce(0, +), expected["recall_sum"] as! Double, 1e-12, "recall sum")
        let perCategory = expected["per_category"] as! [String: [String: Double]]
        let rows = accumulation.perCategory()
        #expect(rows.count == perCategory.count)
        for row in rows {
            let e = try #require(perCategory["\(row.categoryId)"], "category \(row.categoryId)")
            expectNear(row.ap, e["ap"]!, 1e-12, "category \(row.categoryId) ap")
            expectNear(row.ap50, e["ap50"]!, 1e-12, "category \(row.categoryId) ap50")
            expectNear(row.ap75, e["ap75"]!, 1e-12, "category \(row.categoryId) ap75")
            expectNear(row.ar100, e["ar100"]!, 1e-12, "category \(row.categoryId) ar100")
        }
    }
}
