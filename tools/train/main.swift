import ArgumentParser
import Engine
import Foundation

/// `train CONFIG [--work-dir DIR] [--resume [PATH|auto]] [--auto-scale-lr] [--cfg-options ...] [--seed N]`,
/// as mmdetection's tools/train.py.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a detector from a config file (mmdetection's tools/train.py).")

    @Argument(help: "Config file (.py, .yaml, .json).")
    var config: String

    @Option(name: .customLong("work-dir"), help: "Where logs and checkpoints go (default ./work_dirs/<config name>).")
    var workDir: String?

    @Option(help: "Resume from a checkpoint (epoch_N.json or .safetensors); a bare --resume or 'auto' takes the latest in the work dir.")
    var resume: String?

    @Flag(name: .customLong("auto-scale-lr"), help: "Scale the LR by batch size / auto_scale_lr.base_batch_size.")
    var autoScaleLR = false

    @Option(help: "How the processes were started: none (one process) or mpi (mpirun; tools/dist_train.sh). pytorch and slurm are mmdetection's, refused.")
    var launcher = "none"

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Overrides key=value (mmdetection syntax).")
    var cfgOptions: [String] = []

    @Option(help: "Random seed (default: randomness.seed of the config, else a random one, logged).")
    var seed: UInt64?

    func run() {
        do {
            let communicator = try Launcher.communicator(launcher, tool: "train")
            let view = try ConfigFile.load(config, options: cfgOptions)
            var options = RunOptions()
            options.workDir = workDir
            options.autoScaleLR = autoScaleLR
            options.seed = seed
            if let resume { options.resume = resume == "auto" ? .auto : .path(resume) }
            options.communicator = communicator
            let runner = try Runner(config: view, configPath: config, options: options)
            try runner.train()
            Launcher.finish(communicator)
        } catch {
            ConfigFile.fail("train", error)
        }
    }
}

Train.main(ConfigFile.normalizeResume(Array(CommandLine.arguments.dropFirst())))
