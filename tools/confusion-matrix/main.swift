import ArgumentParser
import Config
import Engine
import Foundation
import Structures

/// `confusion-matrix CONFIG [CHECKPOINT] --out-dir DIR [--results FILE.json] [--score-thr T]
/// [--tp-iou-thr T]`: mmdetection's tools/analysis_tools/confusion_matrix.py.
@main
struct ConfusionMatrixTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confusion-matrix", abstract: "The confusion matrix of a detector on its test set.",
        discussion: """
            The detections come from --results (a COCO results file, as `test --out` writes it) or \
            from running CHECKPOINT over the config's test set. mmdetection's rules: rows are the \
            ground-truth classes, columns the predicted ones, the last of each "background"; every \
            detection scoring at least --score-thr counts once for each ground-truth box it \
            overlaps with IoU >= --tp-iou-thr (or once as background), and each ground-truth box \
            that no detection of its class reached counts once under background. Prints the counts \
            and writes DIR/confusion_matrix.png (row percentages) and DIR/confusion_matrix.json.
            """)

    @Argument(help: "Config file (.py, .yaml, .json).")
    var config: String

    @Argument(help: "Checkpoint to run over the test set (not needed with --results).")
    var checkpoint: String?

    @Option(name: .customLong("out-dir"), help: "Output folder.")
    var outDir: String

    @Option(help: "COCO results JSON of the test set (instead of running CHECKPOINT).")
    var results: String?

    @Option(name: .customLong("score-thr"), help: "Detections scoring at least this count.")
    var scoreThr = 0.3

    @Option(name: .customLong("tp-iou-thr"), help: "IoU at which a detection matches a ground-truth box.")
    var tpIouThr = 0.5

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Overrides key=value (mmdetection syntax).")
    var cfgOptions: [String] = []

    func validate() throws {
        guard (checkpoint == nil) != (results == nil) else { throw ValidationError("give either CHECKPOINT or --results FILE.json") }
        guard (0...1).contains(scoreThr), (0...1).contains(tpIouThr) else { throw ValidationError("thresholds must be in 0...1") }
    }

    func run() throws {
        do {
            let view = try ConfigFile.load(config, options: ["model.backbone.init_cfg=None"] + cfgOptions)
            let set = try TestSetResults.load(config: view, configPath: config, checkpoint: checkpoint, resultsFile: results)
            let matrix = ConfusionMatrix(set, scoreThreshold: scoreThr, iouThreshold: tpIouThr)
            try ImageInference.makeOutputDirectory(outDir)
            try ImageWriter.write(matrix.plot(), to: outDir + "/confusion_matrix.png")
            try AtomicFile.write(try matrix.json(), to: outDir + "/confusion_matrix.json")
            print(matrix.text())
            print("confusion-matrix: wrote \(outDir)/confusion_matrix.png and confusion_matrix.json")
        } catch {
            FileHandle.standardError.write(Data("confusion-matrix: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
