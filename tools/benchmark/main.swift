import ArgumentParser
import Config
import Engine
import Foundation

/// `benchmark CONFIG CHECKPOINT [--max-iter N] [--log-interval N] [--num-warmup N]
/// [--repeat-num N]`: mmdetection's tools/analysis_tools/benchmark.py --task inference.
@main
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark", abstract: "Images per second of a detector over its test set.",
        discussion: """
            One image at a time, as mmdetection's InferenceBenchmark: the preprocessor and the \
            prediction are timed, the loading and pipeline are not. The first --num-warmup \
            predictions are not timed (on the first images, again from the start when the set is \
            shorter); then each test image is timed once, at most --max-iter. --repeat-num passes \
            give one fps each and their mean. Threads: OpenBLAS's and SwiftDet's own use the \
            machine's cores (OPENBLAS_NUM_THREADS and SWIFTDET_NUM_THREADS set them).
            """)

    @Argument(help: "Config file (.py, .yaml, .json).")
    var config: String

    @Argument(help: "Checkpoint (.pth or safetensors, mmdetection key names).")
    var checkpoint: String

    @Option(name: .customLong("max-iter"), help: "Most images timed per pass.")
    var maxIter = 2000

    @Option(name: .customLong("log-interval"), help: "Print progress every this many timed images.")
    var logInterval = 50

    @Option(name: .customLong("num-warmup"), help: "Untimed predictions before timing.")
    var numWarmup = 5

    @Option(name: .customLong("repeat-num"), help: "Passes over the test set.")
    var repeatNum = 1

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Overrides key=value (mmdetection syntax).")
    var cfgOptions: [String] = []

    func validate() throws {
        guard maxIter >= 1, logInterval >= 1, numWarmup >= 0, repeatNum >= 1 else {
            throw ValidationError("--max-iter, --log-interval and --repeat-num must be at least 1, --num-warmup at least 0")
        }
    }

    func run() throws {
        do {
            let view = try ConfigFile.load(config, options: ["model.backbone.init_cfg=None"] + cfgOptions)
            let bench = try InferenceBenchmark(config: view, checkpoint: checkpoint)
            print("benchmark: \(bench.dataset.count) test images, \(numWarmup) warm-up predictions, at most \(maxIter) timed")
            var results: [InferenceBenchmark.Result] = []
            for _ in 0..<repeatNum {
                results.append(try bench.run(maxIter: maxIter, logInterval: logInterval, numWarmup: numWarmup))
            }
            print("============== Done ==================")
            print(InferenceBenchmark.overall(results))
            print("peak RSS: \(RunLogger.peakMemoryMB()) MB")
        } catch {
            FileHandle.standardError.write(Data("benchmark: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
