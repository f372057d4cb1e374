import Autograd
import Config
import Datasets
import Foundation
import Kernels
import Models

/// mmdetection's `tools/analysis_tools/benchmark.py --task inference` (`InferenceBenchmark`):
/// images per second of the model with a checkpoint over the config's test set, one image at
/// a time. What is timed is mmdetection's `test_step`: the preprocessor and the prediction
/// (with rescaling and masks), not the loading and the pipeline. The first `numWarmup`
/// predictions (on the first images, taken again from the start when the set is shorter) are
/// not timed; then each test image is timed once, up to `maxIter`.
public final class InferenceBenchmark {
    public let model: any Detector
    public let dataset: any DetectionDataset
    public let preprocessor: DetDataPreprocessor

    /// The outcome of one pass.
    public struct Result: Sendable {
        public var timedImages: Int
        /// Seconds of the timed predictions (preprocessing included).
        public var seconds: Double
        public var warmup: Int
        public var fps: Double { seconds > 0 ? Double(timedImages) / seconds : 0 }

        public init(timedImages: Int, seconds: Double, warmup: Int) {
            self.timedImages = timedImages
            self.seconds = seconds
            self.warmup = warmup
        }
    }

    /// The model of `config` with `checkpoint` loaded strictly, in eval mode, and the test set.
    public init(config: ConfigView, checkpoint: String) throws {
        model = try ModelRegistry.detectors.build(try config.view("model"))
        try ImageInference.load(checkpoint, into: model)
        model.eval()
        dataset = try DataLoader(config: try config.view("test_dataloader"), seed: 0).dataset
        preprocessor = try ImageInference.preprocessor(config)
        guard dataset.count > 0 else { throw config.error("test_dataloader", "the test set has no images") }
    }

    /// One pass; `log` gets mmdetection's progress lines every `logInterval` timed images.
    public func run(maxIter: Int, logInterval: Int, numWarmup: Int, log: (String) -> Void = { print($0) }) throws -> Result {
        var result = Result(timedImages: 0, seconds: 0, warmup: 0)
        let timed = min(dataset.count, max(maxIter, 0))
        try GradMode.$isEnabled.withValue(false) {
            for i in 0..<max(numWarmup, 0) {
                _ = try predict(i % dataset.count)
                result.warmup += 1
            }
            for i in 0..<timed {
                result.seconds += try predict(i)
                result.timedImages += 1
                if result.timedImages % max(logInterval, 1) == 0 || result.timedImages == timed {
                    let fps = result.fps
                    log(String(format: "Done image [%-3d/%d], fps: %.1f img/s, times per image: %.1f ms/img, peak RSS: %d MB",
                               result.timedImages, timed, fps, fps > 0 ? 1000 / fps : 0, RunLogger.peakMemoryMB()))
                }
            }
        }
        return result
    }

    /// Seconds of the preprocessor and the prediction of image `index` (its loading is not timed).
    private func predict(_ index: Int) throws -> Double {
        var rng = SeededGenerator(seed: UInt64(index))
        let sample = try dataset.sample(index, rng: &rng)
        let start = DispatchTime.now().uptimeNanoseconds
        let batch = preprocessor([sample], training: false)
        _ = try model.predict(inputs: batch.inputs, samples: batch.samples, proposals: nil, rescale: true)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// mmdetection's closing line: one pass, or each pass's fps and their mean.
    public static func overall(_ results: [Result]) -> String {
        let fps = results.map { ($0.fps * 10).rounded() / 10 }
        let mean = fps.reduce(0, +) / Double(max(fps.count, 1))
        if results.count == 1 {
            return String(format: "Overall fps: %.1f img/s, times per image: %.1f ms/img", results[0].fps,
                          results[0].fps > 0 ? 1000 / results[0].fps : 0)
        }
        let times = results.map { $0.fps > 0 ? ((1000 / $0.fps) * 10).rounded() / 10 : 0 }
        return "Overall fps: \(fps)" + String(format: "[%.1f] img/s, times per image: ", mean) + "\(times)"
            + String(format: "[%.1f] ms/img", mean > 0 ? 1000 / mean : 0)
    }
}
