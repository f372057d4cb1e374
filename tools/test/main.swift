import ArgumentParser
import Engine
import Foundation

/// `test CONFIG CHECKPOINT [--out results.json] [--show-dir DIR] [--cfg-options ...]`, as
/// mmdetection's tools/test.py: the test loop, pycocotools' summary, COCO results JSON.
struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Evaluate a checkpoint on the config's test set (mmdetection's tools/test.py).")

    @Argument(help: "Config file (.py, .yaml, .json).")
    var config: String

    @Argument(help: "Checkpoint: a .pth or safetensors file with mmdetection key names, or a checkpoint's epoch_N.json.")
    var checkpoint: String

    @Option(name: .customLong("work-dir"), help: "Where the log goes (default ./work_dirs/<config name>).")
    var workDir: String?

    @Option(help: "Write all detections here as COCO results JSON (bbox, score, category_id, RLE segmentation).")
    var out: String?

    @Option(name: .customLong("show-dir"), help: "Write each test image with its predictions drawn here.")
    var showDir: String?

    @Option(name: .customLong("score-thr"), help: "Score threshold of the drawn predictions.")
    var scoreThr: Float = 0.3

    @Option(help: "How the processes were started: none (one process) or mpi (mpirun; tools/dist_test.sh). pytorch and slurm are mmdetection's, refused.")
    var launcher = "none"

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Overrides key=value (mmdetection syntax).")
    var cfgOptions: [String] = []

    func validate() throws {
        guard !scoreThr.isNaN else { throw ValidationError("--score-thr nan would draw no prediction: give a number") }
    }

    func run() {
        do {
            let communicator = try Launcher.communicator(launcher, tool: "test")
            // The checkpoint replaces the backbone's pretrained init.
            let view = try ConfigFile.load(config, options: ["model.backbone.init_cfg=None"] + cfgOptions)
            var options = RunOptions()
            options.workDir = workDir
            options.seed = 0
            options.communicator = communicator
            let runner = try Runner(config: view, configPath: config, options: options)
            try runner.test(checkpoint: checkpoint, out: out, showDir: showDir, scoreThreshold: scoreThr)
            Launcher.finish(communicator)
        } catch {
            ConfigFile.fail("test", error)
        }
    }
}

Test.main()
