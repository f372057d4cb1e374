import Autograd
import Config
import Datasets
import Foundation
import Kernels
import Models
import NN
import Structures

/// mmdetection's `tools/analysis_tools/get_flops.py`: the FLOPs (multiply-adds, counted as
/// mmengine's `get_model_complexity_info` counts them, see `ComplexityCounter`) and parameters
/// of a detector, per module. The model predicts in eval mode on each input and the FLOPs are
/// averaged over the inputs: the first images of `val_dataloader` through its pipeline and
/// the preprocessor (mmdetection's way), or one random image of a given size, padded to the
/// preprocessor's size divisor.
public struct ModelComplexity {
    /// One module of the table.
    public struct Row: Equatable, Sendable {
        /// Dotted name ("" for the whole model).
        public var name: String
        public var depth: Int
        public var parameters: Int
        /// Average FLOPs per input.
        public var flops: Int
    }

    /// Modules down to the table's depth, in state-dict order, the model first.
    public var rows: [Row]
    /// The input (height, width) before padding, and the padded one, of the last input.
    public var inputShape: (height: Int, width: Int)
    public var paddedShape: (height: Int, width: Int)
    /// How many inputs were averaged.
    public var inputs: Int

    public var flops: Int { rows.first?.flops ?? 0 }
    public var parameters: Int { rows.first?.parameters ?? 0 }

    /// Measures `model` (put in eval mode) on each batch; rows down to `depth` levels.
    public static func measure(model: any Detector, batches: [DetBatch], depth: Int = 3) throws -> ModelComplexity {
        checkInvariant(!batches.isEmpty, "ModelComplexity: no input")
        model.eval()
        let modules = model.namedModules().filter { $0.0.isEmpty || $0.0.split(separator: ".").count <= depth }
        var sums = [Int](repeating: 0, count: modules.count)
        try GradMode.$isEnabled.withValue(false) {
            for batch in batches {
                let (_, counter) = try ComplexityCounter.measure {
                    try model.predict(inputs: batch.inputs, samples: batch.samples, proposals: nil, rescale: false)
                }
                for (i, m) in modules.enumerated() { sums[i] += counter.flops(of: m.1) }
            }
        }
        let rows = modules.enumerated().map { i, m in
            Row(name: m.0, depth: m.0.isEmpty ? 0 : m.0.split(separator: ".").count,
                parameters: m.1.namedParameters().reduce(0) { $0 + $1.1.count }, flops: sums[i] / batches.count)
        }
        let last = batches[batches.count - 1]
        let shape = last.samples.first?.meta.imgShape ?? [last.inputs.shape[2], last.inputs.shape[3]]
        return ModelComplexity(rows: rows, inputShape: (shape[0], shape[1]),
                               paddedShape: (last.inputs.shape[2], last.inputs.shape[3]), inputs: batches.count)
    }

    /// The first `count` images of `val_dataloader`'s dataset, one batch each, through its
    /// pipeline and the model's preprocessor.
    public static func datasetBatches(config: ConfigView, count: Int) throws -> [DetBatch] {
        let preprocessor = try ImageInference.preprocessor(config)
        let loader = try DataLoader(config: try config.view("val_dataloader"), seed: 0)
        let n = min(count, loader.dataset.count)
        guard n > 0 else { throw config.error("val_dataloader", "the dataset has no images to measure on") }
        return try (0..<n).map { i in
            var rng = SeededGenerator(seed: UInt64(i))
            return preprocessor([try loader.dataset.sample(i, rng: &rng)], training: false)
        }
    }

    /// One image of `height` x `width` drawn from a standard normal (mmengine's `torch.randn`
    /// input), padded to the preprocessor's size divisor.
    public static func randomBatch(config: ConfigView, height: Int, width: Int) throws -> DetBatch {
        guard (1...(1 << 16)).contains(height), (1...(1 << 16)).contains(width), height * width <= 1 << 26 else {
            throw config.error("model", "--shape \(height) \(width): expected a positive size of at most 64M pixels")
        }
        let divisor = max(try ImageInference.preprocessor(config).padSizeDivisor, 1)
        let h = (height + divisor - 1) / divisor * divisor, w = (width + divisor - 1) / divisor * divisor
        var rng = SeededGenerator(seed: 0)
        var pixels = [Float](repeating: 0, count: 3 * h * w)
        for c in 0..<3 {
            for y in 0..<height { for x in 0..<width { pixels[(c * h + y) * w + x] = rng.nextNormal() } }
        }
        var meta = SampleMeta()
        meta.imgId = 0
        meta.oriShape = [height, width]
        meta.imgShape = [height, width]
        meta.scaleFactor = [1, 1]
        meta.padShape = [h, w]
        meta.batchInputShape = [h, w]
        return DetBatch(inputs: Tensor(shape: [1, 3, h, w], pixels), samples: [DetSample(meta: meta)])
    }

    /// mmengine's `_format_size`: 3 decimals, trailing zeros dropped, with K/M/G/T/P.
    public static func format(_ x: Int) -> String {
        let v = Double(x)
        let units: [(Double, String)] = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")]
        let thresholds: [Double] = [1e14, 1e11, 1e8, 1e5, 1e2]
        for (i, (scale, suffix)) in units.enumerated() where v > thresholds[i] {
            var text = String(format: "%.3f", v / scale)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text + suffix
        }
        return String(x)
    }

    /// The per-module table (module, parameters, FLOPs), indented one space per level.
    public func table() -> String {
        let names = rows.map { String(repeating: " ", count: $0.depth) + ($0.name.isEmpty ? "model" : $0.name) }
        let width = max(names.map(\.count).max() ?? 0, 6)
        var lines = ["module".padding(toLength: width, withPad: " ", startingAt: 0) + " | #parameters | #flops"]
        lines.append(String(repeating: "-", count: width) + "-|-------------|---------")
        for (row, name) in zip(rows, names) {
            let p = Self.format(row.parameters), f = Self.format(row.flops)
            lines.append(name.padding(toLength: width, withPad: " ", startingAt: 0) + " | "
                         + p.padding(toLength: 11, withPad: " ", startingAt: 0) + " | " + f)
        }
        return lines.joined(separator: "\n")
    }
}
