import Evaluation
import Structures
import Testing

/// Non-default parameters (useCats = 0, image and category subsets, other maxDets, IoU and
/// recall thresholds) and ground truth with a duplicated annotation id, on the fixture cases:
/// the 12 stats pycocotools 2.0.11 gives for the same settings (computed once with
/// pycocotools, `COCOeval.params` changed before `evaluate()`).
@Suite struct ParameterTests {
    static let expected: [String: [Double]] = [
        "edge bbox nocats": [0.1898413577963381, 0.286748514024481, 0.16326080257375458, 0.148773683230263, 0.3253886305125031, 0.5211030718456462, 0.10508474576271187, 0.43389830508474586, 0.535593220338983, 0.5444444444444445, 0.5366666666666667, 0.6466666666666667],
        "edge bbox imgs": [0.44210773321643243, 0.7135895456440939, 0.31852709080431857, 0.5242704451440618, 0.4981222092797516, 0.5434955995599561, 0.08214285714285714, 0.6714285714285715, 0.6714285714285715, 0.6923076923076923, 0.7888888888888889, 0.67],
        "edge bbox cats": [0.33013994627382665, 0.5781597482540246, 0.3306349957787771, -1.0, 0.504950495049505, 0.503960396039604, 0.25, 0.29999999999999993, 0.5, -1.0, 0.5, 0.5],
        "edge bbox maxdets": [-1.0, 0.5281132695092953, 0.27876384847023283, 0.2583425854058712, 0.30934850063953767, 0.5316606660666067, 0.2144144144144144, 0.3243243243243243, 0.42027027027027025, 0.5444444444444445, 0.48, 0.5846153846153845],
        "edge bbox thresholds": [0.47555835886864517, 0.5374157075547654, 0.29150594519769346, 0.4066114324521223, 0.5435275005233317, 0.7455445544554454, 0.24339339339339341, 0.5629129129129129, 0.7108108108108109, 0.7592592592592592, 0.7166666666666667, 0.7884615384615384],
        "edge bbox recalls": [0.3423211272732734, 0.5532452063318044, 0.31916388062249423, 0.2627553518031461, 0.5028088299260548, 0.543904958677686, 0.2144144144144144, 0.4036036036036036, 0.5459459459459459, 0.6, 0.655, 0.5846153846153845],
        "edge segm nocats": [0.1999060549606601, 0.311672724095218, 0.1875716066268492, 0.15270975298601744, 0.3428763340341661, 0.5211030718456462, 0.11016949152542373, 0.43559322033898307, 0.5372881355932203, 0.5222222222222224, 0.5533333333333333, 0.6466666666666667],
        "edge segm imgs": [0.4466445117447287, 0.7135895456440939, 0.4039906966887165, 0.4926294529905479, 0.5407859777574396, 0.5434955995599561, 0.09285714285714285, 0.675, 0.675, 0.6615384615384615, 0.8444444444444444, 0.67],
        "edge segm cats": [0.33013994627382665, 0.5781597482540246, 0.3306349957787771, -1.0, 0.504950495049505, 0.503960396039604, 0.25, 0.29999999999999993, 0.5, -1.0, 0.5, 0.5],
        "edge segm maxdets": [-1.0, 0.5415055182704419, 0.2982788923391518, 0.25679806303700853, 0.32985154154513197, 0.5316606660666067, 0.2171171171171171, 0.3315315315315316, 0.42117117117117125, 0.5222222222222224, 0.5049999999999999, 0.5846153846153845],
        "edge segm thresholds": [0.48681684746757986, 0.5515814690162179, 0.31012726290469034, 0.43132678856744316, 0.5719635309395601, 0.7455445544554454, 0.24339339339339341, 0.5689189189189189, 0.7168168168168169, 0.7592592592592592, 0.75, 0.7884615384615384],
        "edge segm recalls": [0.3473890273495311, 0.5677992885065624, 0.34181735672204433, 0.25699028707877375, 0.5248239400153276, 0.543904958677686, 0.2171171171171171, 0.40450450450450454, 0.5468468468468468, 0.5777777777777777, 0.6799999999999999, 0.5846153846153845],
        "tiny bbox nocats": [0.7271617161716172, 0.9669966996699667, 0.9669966996699667, 0.5514851485148514, 0.8224422442244225, -1.0, 0.34, 0.8, 0.8, 0.65, 0.9, -1.0],
        "tiny bbox imgs": [0.55, 0.75, 0.75, 0.3, 0.7999999999999999, -1.0, 0.4, 0.7, 0.7, 0.6, 0.8, -1.0],
        "tiny bbox cats": [0.5514851485148514, 0.834983498349835, 0.834983498349835, 0.5514851485148514, -1.0, -1.0, 0.35, 0.65, 0.65, 0.65, -1.0, -1.0],
        "tiny bbox maxdets": [-1.0, 0.9174917491749174, 0.9174917491749174, 0.5514851485148514, 0.7891089108910891, -1.0, 0.4583333333333333, 0.725, 0.725, 0.65, 0.7999999999999999, -1.0],
        "tiny bbox thresholds": [0.9174917491749175, 0.9174917491749174, 0.9174917491749174, 0.8349834983498352, 1.0, -1.0, 0.5833333333333333, 1.0, 1.0, 1.0, 1.0, -1.0],
        "tiny bbox recalls": [0.6772727272727272, 0.9242424242424243, 0.9242424242424243, 0.5636363636363636, 0.7909090909090909, -1.0, 0.4583333333333333, 0.725, 0.725, 0.65, 0.7999999999999999, -1.0],
        "tiny segm nocats": [0.6736916548797736, 0.9669966996699667, 0.9434229137199429, 0.5514851485148514, 0.7445544554455445, -1.0, 0.34, 0.72, 0.72, 0.65, 0.7666666666666666, -1.0],
        "tiny segm imgs": [0.5083333333333333, 0.75, 0.6666666666666666, 0.3, 0.7999999999999999, -1.0, 0.4, 0.7, 0.7, 0.6, 0.8, -1.0],
        "tiny segm cats": [0.5102310231023102, 0.834983498349835, 0.7524752475247525, 0.5514851485148514, -1.0, -1.0, 0.35, 0.65, 0.65, 0.65, -1.0, -1.0],
        "tiny segm maxdets": [-1.0, 0.9174917491749174, 0.8762376237623762, 0.5514851485148514, 0.7445544554455445, -1.0, 0.4583333333333333, 0.7083333333333333, 0.7083333333333333, 0.65, 0.7666666666666666, -1.0],
        "tiny segm thresholds": [0.9037403740374038, 0.9174917491749174, 0.8762376237623762, 0.8349834983498352, 1.0, -1.0, 0.5833333333333333, 1.0, 1.0, 1.0, 1.0, -1.0],
        "tiny segm recalls": [0.6356060606060605, 0.9242424242424243, 0.8863636363636364, 0.5636363636363636, 0.7454545454545455, -1.0, 0.4583333333333333, 0.7083333333333333, 0.7083333333333333, 0.65, 0.7666666666666666, -1.0],
        "tiny bbox duplicate-ids": [0.4361386138613861, 0.6386138613861386, 0.6386138613861386, 0.5514851485148514, 0.3207920792079208, -1.0, 0.3083333333333333, 0.575, 0.575, 0.65, 0.5, -1.0],
        "tiny segm duplicate-ids": [0.39900990099009903, 0.6386138613861386, 0.5973597359735973, 0.5514851485148514, 0.28778877887788773, -1.0, 0.3083333333333333, 0.5583333333333333, 0.5583333333333333, 0.65, 0.4666666666666666, -1.0],    ]

    struct Setting: Sendable, CustomTestStringConvertible {
        let key: String
        var testDescription: String { key }
    }

    static let settings = expected.keys.sorted().map(Setting.init)

    /// The setups of the Python side: nocats: useCats = 0; imgs: every other image id;
    /// cats: all but the lowest category id; maxdets: [3, 1, 20]; thresholds: IoU [0.5, 0.75,
    /// 0.3]; recalls: linspace(0, 1, 11); duplicate-ids: the second annotation given the
    /// first one's id.
    static func params(_ name: String, _ iouType: CocoEvalParams.IoUType, gt: CocoIndex) -> CocoEvalParams {
        var p = CocoEvalParams(iouType: iouType)
        switch name {
        case "nocats": p.useCategories = false
        case "imgs": p.imageIds = Array(gt.sortedImageIds.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        case "cats": p.categoryIds = Array(gt.categories.map(\.id).dropFirst())
        case "maxdets": p.maxDetections = [3, 1, 20]
        case "thresholds": p.iouThresholds = [0.5, 0.75, 0.3]
        case "recalls": p.recallThresholds = CocoEvalParams.linspace(0, 1, count: 11)
        default: break
        }
        return p
    }

    @Test(arguments: settings) func matchesPycocotools(_ setting: Setting) throws {
        let parts = setting.key.split(separator: " ").map(String.init)
        let (name, iouType) = (parts[2], CocoEvalParams.IoUType(rawValue: parts[1])!)
        var gt = try CocoIndex(contentsOf: Fixture.path("cocoeval/\(parts[0])/gt.json"))
        if name == "duplicate-ids" {
            var annotations = gt.annotations
            annotations[1].id = annotations[0].id
            gt = try CocoIndex(images: gt.images, categories: gt.categories, annotations: annotations, path: gt.path)
        }
        let dt = try CocoResults(contentsOf: Fixture.path("cocoeval/\(parts[0])/dt.json"), groundTruth: gt)
        let stats = try CocoEval(groundTruth: gt, results: dt, params: Self.params(name, iouType, gt: gt))
            .evaluate().accumulate().summarize().stats
        for (i, value) in Self.expected[setting.key]!.enumerated() {
            expectNear(stats[i], value, 1e-12, "\(setting.key) \(CocoSummary.statNames[i])")
        }
    }

    /// numpy's linspace values that matter (reference §2).
    @Test func thresholdsAreNumpys() {
        let p = CocoEvalParams(iouType: .bbox)
        #expect(p.iouThresholds[8] == 0.8999999999999999)
        #expect(p.iouThresholds[0] == 0.5 && p.iouThresholds[5] == 0.75 && p.iouThresholds[9] == 0.95)
        #expect(p.recallThresholds.count == 101 && p.recallThresholds[100] == 1.0)
        #expect(p.recallThresholds[35] == 0.35000000000000003)
        #expect(p.recallThresholds[70] == 0.7000000000000001)
        #expect(p.recallThresholds[50] == 0.5)
    }

    @Test func summarizeNeedsThreeMaxDets() throws {
        let gt = try CocoIndex(contentsOf: Fixture.path("cocoeval/tiny/gt.json"))
        let dt = try CocoResults(contentsOf: Fixture.path("cocoeval/tiny/dt.json"), groundTruth: gt)
        var p = CocoEvalParams(iouType: .bbox)
        p.maxDetections = [1, 100]
        let accumulation = try CocoEval(groundTruth: gt, results: dt, params: p).evaluate().accumulate()
        #expect(errorText { _ = try accumulation.summarize() }.contains("3 maxDets"))
        p.maxDetections = []
        #expect(errorText { _ = try CocoEval(groundTruth: gt, results: dt, params: p).evaluate() }.contains("maxDetections is empty"))
    }
}
