import ArgumentParser
import Config
import Engine
import Evaluation
import Foundation
import Structures

/// `analyze-results CONFIG [CHECKPOINT] --out-dir DIR [--results FILE.json] [--topk N]`:
/// mmdetection's tools/analysis_tools/analyze_results.py. Each test image is scored by its own
/// COCO AP; the best and worst `topk` are drawn into DIR/good and DIR/bad.
@main
struct AnalyzeResults: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze-results", abstract: "Rank test images by their own AP; draw the best and the worst.",
        discussion: """
            The detections come from --results (a COCO results file, as `test --out` writes it) or \
            from running CHECKPOINT over the config's test set. Each image's score is COCOeval's \
            AP@[.5:.95] on that image alone (boxes, or masks with --iou-type segm); images without \
            ground truth have none and are not ranked. Images are sorted by AP (ties in dataset \
            order); the last --topk are the good ones, the first --topk the bad ones (--topk is cut \
            to half the images). Writes DIR/good/<name>_<AP>.jpg, DIR/bad/<name>_<AP>.jpg (the \
            detections scoring above --show-score-thr drawn) and DIR/per_image_ap.json.
            """)

    @Argument(help: "Config file (.py, .yaml, .json).")
    var config: String

    @Argument(help: "Checkpoint to run over the test set (not needed with --results).")
    var checkpoint: String?

    @Option(name: .customLong("out-dir"), help: "Output folder.")
    var outDir: String

    @Option(help: "COCO results JSON of the test set (instead of running CHECKPOINT).")
    var results: String?

    @Option(help: "How many of the best and of the worst images to draw.")
    var topk = 20

    @Option(name: .customLong("show-score-thr"), help: "Draw detections scoring above this.")
    var showScoreThr: Float = 0

    @Option(name: .customLong("iou-type"), help: "bbox or segm.")
    var iouType = "bbox"

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Overrides key=value (mmdetection syntax).")
    var cfgOptions: [String] = []

    func validate() throws {
        guard (checkpoint == nil) != (results == nil) else { throw ValidationError("give either CHECKPOINT or --results FILE.json") }
        guard (1...Int(Int32.max)).contains(topk) else { throw ValidationError("--topk must be from 1 to \(Int32.max)") }
        guard !showScoreThr.isNaN else { throw ValidationError("--show-score-thr nan would draw no detection: give a number") }
        guard CocoEvalParams.IoUType(rawValue: iouType) != nil else { throw ValidationError("--iou-type must be bbox or segm") }
    }

    func run() throws {
        do {
            let view = try ConfigFile.load(config, options: ["model.backbone.init_cfg=None"] + cfgOptions)
            let set = try TestSetResults.load(config: view, configPath: config, checkpoint: checkpoint, resultsFile: results)
            let scores = try ResultsAnalysis.perImageAP(set, iouType: CocoEvalParams.IoUType(rawValue: iouType)!)
            let (good, bad) = ResultsAnalysis.rank(scores, topk: topk)
            let goodPaths = try ResultsAnalysis.draw(good, of: set, into: outDir + "/good", scoreThreshold: showScoreThr)
            let badPaths = try ResultsAnalysis.draw(bad, of: set, into: outDir + "/bad", scoreThreshold: showScoreThr)
            let list: [[String: Any]] = scores.map { s in
                ["image_id": s.imageId, "file": set.dataset.info(s.index).imgPath, "ap": s.ap]
            }
            let json = try JSONSerialization.data(withJSONObject: ["iou_type": iouType, "images": list], options: [.sortedKeys, .prettyPrinted])
            try AtomicFile.write(json, to: outDir + "/per_image_ap.json")
            print("analyze-results: \(scores.count) of \(set.dataset.count) images have ground truth; \(iouType) AP per image")
            for (title, picked, paths) in [("good", good, goodPaths), ("bad", bad, badPaths)] {
                print("\(title) (\(picked.count)):")
                for (s, path) in zip(picked, paths) { print(String(format: "  AP %.3f  %@", s.ap, path)) }
            }
        } catch {
            FileHandle.standardError.write(Data("analyze-results: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
