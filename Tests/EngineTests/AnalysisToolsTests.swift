import Config
import Datasets
import Engine
import Evaluation
import Foundation
import Testing
import TestSupport

/// analyze-results and confusion-matrix on the demo model's detections on fruits_nuts train
/// (Tests/Fixtures/analysis/results.json), against the numbers pycocotools and mmdetection's
/// own tool functions give for the same file (expected.json, made by make_expected.py).
@Suite struct AnalysisToolsTests {
    struct Expected: Decodable {
        struct PerImage: Decodable { let images: [Image] }
        struct Image: Decodable {
            let image_id: Int
            let bbox: Double
            let segm: Double
        }
        struct Matrices: Decodable { let settings: [Setting] }
        struct Setting: Decodable {
            let score_thr: Double
            let tp_iou_thr: Double
            let matrix: [[Double]]
            let displayed_percent: [[Int]]
        }
        let per_image_ap: PerImage
        let confusion_matrix: Matrices
    }

    static func expected() throws -> Expected {
        let path = try TestFiles.fixture("analysis/expected.json")
        return try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static let configPath = TestFiles.packageRoot.appendingPathComponent("configs/demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py").path

    /// The demo config with its test set pointed at fruits_nuts train (the fixture's images).
    static func options() throws -> [String] {
        let data = try TestFiles.project("data/fruits_nuts") + "/"
        return ["model.backbone.init_cfg=None", "test_dataloader.dataset.data_root=\(data)",
                "test_dataloader.dataset.ann_file=annotations/instances_train.json"]
    }

    static func set() throws -> TestSetResults {
        let config = try ConfigFile.load(configPath, options: try options())
        return try TestSetResults.load(config: config, configPath: configPath, checkpoint: nil,
                                       resultsFile: try TestFiles.fixture("analysis/results.json"))
    }

    @Test func perImageAPIsPycocotoolsOnEachImage() throws {
        let expected = try Self.expected().per_image_ap.images
        let set = try Self.set()
        for (iouType, value) in [(CocoEvalParams.IoUType.bbox, \Expected.Image.bbox), (.segm, \Expected.Image.segm)] {
            let scores = try ResultsAnalysis.perImageAP(set, iouType: iouType)
            #expect(scores.map(\.imageId) == expected.map(\.image_id), "\(iouType)")
            for (s, e) in zip(scores, expected) {
                #expect(abs(s.ap - e[keyPath: value]) < 1e-12, "\(iouType) image \(s.imageId): \(s.ap) vs \(e[keyPath: value])")
            }
            // Worst first and best last, by pycocotools' numbers.
            let (good, bad) = ResultsAnalysis.rank(scores, topk: 3)
            let byAP = expected.sorted { $0[keyPath: value] < $1[keyPath: value] }.map(\.image_id)
            #expect(bad.map(\.imageId) == Array(byAP.prefix(3)) && good.map(\.imageId) == Array(byAP.suffix(3)), "\(iouType)")
        }
    }

    @Test func rankingIsStableAndTopkAtMostHalf() {
        let scores = [0.5, 0.2, 0.5, 0.9, 0.2].enumerated().map { ResultsAnalysis.ImageScore(imageId: 10 + $0.offset, index: $0.offset, ap: $0.element) }
        let (good, bad) = ResultsAnalysis.rank(scores, topk: 20)  // cut to 5 / 2 = 2
        #expect(bad.map(\.imageId) == [11, 14] && good.map(\.imageId) == [12, 13])
        #expect(ResultsAnalysis.fileStem(imagePath: "/a/b/000139.jpg", ap: 0.56349) == "000139_0.563")
        #expect(ResultsAnalysis.fileStem(imagePath: "x.png", ap: 0) == "x_0.0")
        #expect(ResultsAnalysis.fileStem(imagePath: "t.jpg", ap: 0.0625) == "t_0.062")  // Python: ties to even
    }

    @Test func confusionMatrixIsMmdetections() throws {
        let set = try Self.set()
        for setting in try Self.expected().confusion_matrix.settings {
            let matrix = ConfusionMatrix(set, scoreThreshold: setting.score_thr, iouThreshold: setting.tp_iou_thr)
            #expect(matrix.counts == setting.matrix, "score \(setting.score_thr), IoU \(setting.tp_iou_thr)")
            #expect(matrix.percentages.map { $0.map { Int($0 ?? -1) } } == setting.displayed_percent)
        }
    }

    /// A small case counted by hand. Image 1: a cat matched by a cat detection (diagonal) and by
    /// a dog detection that also overlaps it (off-diagonal), a dog nobody found (missed), a cat
    /// detection on nothing (background). Image 2: a low-score dog detection (ignored) on a
    /// dog, which is therefore missed, and one detection overlapping a cat and a dog.
    @Test func confusionMatrixCountedByHand() {
        typealias B = ConfusionMatrix.Box
        var m = ConfusionMatrix(classes: ["cat", "dog"], scoreThreshold: 0.3, iouThreshold: 0.5)
        m.add(groundTruth: [B(0, 0, 10, 10, label: 0), B(50, 50, 60, 60, label: 1)],
              detections: [B(0, 0, 10, 9, label: 0, score: 0.9), B(1, 0, 10, 10, label: 1, score: 0.8),
                           B(100, 100, 110, 110, label: 0, score: 0.7)])
        m.add(groundTruth: [B(0, 0, 10, 10, label: 1), B(0, 0, 10, 11, label: 0)],
              detections: [B(0, 0, 10, 10, label: 1, score: 0.1), B(0, 0, 10, 10, label: 0, score: 0.6)])
        // rows: gt cat, gt dog, background; columns: cat, dog, background
        #expect(m.counts == [[2, 1, 0], [1, 0, 2], [1, 0, 0]])
        #expect(m.percentages[2] == [100, 0, 0] && abs(m.percentages[0][0]! - 200.0 / 3) < 1e-12)
        #expect(ConfusionMatrix(classes: ["a"]).percentages == [[nil, nil], [nil, nil]])
    }

    /// The two tools end to end on the demo config and the fixture results: their files are
    /// there and hold the numbers checked above; the plot has one cell per pair.
    @Test func toolsWriteTheirFiles() throws {
        let dir = try ImageInferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let results = try TestFiles.fixture("analysis/results.json")
        let options = try Self.options()
        try Self.run("analyze-results", [Self.configPath, "--results", results, "--out-dir", dir + "/ar", "--topk", "2",
                                         "--cfg-options"] + options)
        let good = try FileManager.default.contentsOfDirectory(atPath: dir + "/ar/good").sorted()
        let bad = try FileManager.default.contentsOfDirectory(atPath: dir + "/ar/bad").sorted()
        #expect(good == ["16_0.85.jpg", "2_0.7.jpg"] && bad == ["17_0.472.jpg", "6_0.499.jpg"], "\(good) \(bad)")  // image ids 17, 3, 18, 7
        let drawn = try ImageDecoder.load(path: dir + "/ar/good/16_0.85.jpg")
        #expect(drawn.width == 800 && drawn.height == 600)
        try Self.run("confusion-matrix", [Self.configPath, "--results", results, "--out-dir", dir + "/cm", "--cfg-options"] + options)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/cm/confusion_matrix.json"))) as! [String: Any]
        #expect(json["counts"] as? [[Int]] == [[65, 0, 2, 0], [0, 45, 4, 1], [0, 5, 47, 1], [7, 30, 46, 0]])
        let plot = try ImageDecoder.load(path: dir + "/cm/confusion_matrix.png")
        #expect(plot.width > 4 * 40 && plot.height > 4 * 40)
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestFiles.builtExecutable(tool))
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool): \(text)")
    }
}
