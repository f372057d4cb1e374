import ArgumentParser
import Autograd
import Config
import Engine
import Foundation
import Kernels
import Models
import NN
import Structures

/// `bench detector CONFIG`: a whole detector built from a model config, without a pretrained
/// checkpoint (`model.backbone.init_cfg=None`, mmdetection's init from seed 0). `infer-ms`:
/// `predict` on one 1x3x800x1216 input in eval mode (scale 1); `model.test_cfg.rcnn.score_thr`
/// is set to 0 so that a randomly initialized model still keeps `max_per_img` detections and
/// pastes their masks, as torch_cpu.py's `box_score_thresh=0.0`. `train-step-ms`: zero grads,
/// `loss` on 2 images of 512x512 with 4 random boxes each (and box-shaped masks), backward of the
/// total, SGD with momentum: the work the reference harness's `torch_cpu.py detector` (outside the project; README, Benchmarks) times.
struct DetectorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detector",
        abstract: "Detector predict and train-step times (median ms), as torch_cpu.py detector.")

    @Argument(help: "Config file with a model (Faster/Mask R-CNN).")
    var config: String

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Overrides key=value (mmdetection syntax).")
    var cfgOptions: [String] = []

    @Option(help: "Timed repetitions per measurement (the median is reported).")
    var reps = 3

    @Option(help: "Untimed warm-up runs per measurement.")
    var warmup = 1

    @Option(help: "What to time: all, infer or train.")
    var phase = "all"

    @Flag(help: "Also time the stages of predict (backbone, FPN, RPN, proposals, RoI heads, masks) and of a train step.")
    var breakdown = false

    func run() throws {
        guard ["all", "infer", "train"].contains(phase) else { throw ValidationError("--phase must be all, infer or train") }
        let model: TwoStageDetector
        do {
            let options = ["model.backbone.init_cfg=None", "model.test_cfg.rcnn.score_thr=0.0"] + cfgOptions
            let view = try ConfigLoader().load(file: config, options: options)
            guard let built = try ModelRegistry.detectors.build(try view.view("model")) as? TwoStageDetector else {
                throw ValidationError("\(config): bench detector times two-stage detectors (FasterRCNN, MaskRCNN)")
            }
            model = built
            try model.initWeights(seed: 0)
        } catch let error as CustomStringConvertible & Error {
            throw ValidationError("\(config): \(error.description)")
        }
        print("bench detector \(config): median of \(reps) after \(warmup) warm-up; cores \(Parallel.workers), "
              + "BLAS threads \(Gemm.threads), load \(Timing.loadAverage())")
        var rng = SeededGenerator(seed: 0)
        if phase != "train" { try infer(model, rng: &rng) }
        // As the Runner does between validation and training: inference's freed blocks go back.
        LargePages.cache.trim()
        if phase != "infer" { try trainStep(model, rng: &rng) }
        // As mmdetection's time_mmdet.py prints it: the process's peak resident set (ru_maxrss).
        print("peak-rss-mb: \(RunLogger.peakMemoryMB())")
    }

    /// A sample whose image fills the (h, w) input, at scale 1.
    static func sample(height h: Int, width w: Int) -> DetSample {
        var meta = SampleMeta()
        meta.imgShape = [h, w]
        meta.oriShape = [h, w]
        meta.padShape = [h, w]
        meta.batchInputShape = [h, w]
        meta.scaleFactor = [1, 1]
        return DetSample(meta: meta)
    }

    func infer(_ model: TwoStageDetector, rng: inout SeededGenerator) throws {
        model.eval()
        let input = Tensor.normal([1, 3, 800, 1216], using: &rng)
        let samples = [Self.sample(height: 800, width: 1216)]
        var count = 0
        var failure: Error?
        let t = Timing.interleavedMedians(reps: reps, warmup: warmup, [{
            do { count = try model.predict(inputs: input, samples: samples)[0].count } catch { failure = error }
        }])[0]
        if let failure { throw failure }
        print(String(format: "infer-ms: %.1f", t * 1000) + " (\(count) detections\(model.roiHead.withMask ? " with masks" : ""))")
        if breakdown { InferBreakdown(model: model, input: input, reps: reps).run() }
    }

    /// Four boxes per image as torch_cpu.py draws them (corner in [0, size - 160), sides in
    /// [32, 160)), random labels, and for a mask model each box filled as its mask.
    static func groundTruth(images n: Int, size: Int, classes: Int, masks: Bool, rng: inout SeededGenerator) -> [DetSample] {
        (0..<n).map { _ in
            var boxes: [Float] = [], labels: [Int] = [], bitmaps: [[UInt8]] = []
            for _ in 0..<4 {
                let x = rng.nextUniform() * Float(size - 160), y = rng.nextUniform() * Float(size - 160)
                let w = 32 + rng.nextUniform() * 128, h = 32 + rng.nextUniform() * 128
                boxes += [x, y, x + w, y + h]
                labels.append(Int(rng.nextUniform() * Float(classes)) % classes)
                if masks {
                    var m = [UInt8](repeating: 0, count: size * size)
                    for row in Int(y)..<Int(y + h) { for col in Int(x)..<Int(x + w) { m[row * size + col] = 1 } }
                    bitmaps.append(m)
                }
            }
            var s = sample(height: size, width: size)
            s.gtInstances = InstanceData(bboxes: HorizontalBoxes(boxes), labels: labels,
                                         masks: masks ? .bitmap(BitmapMasks(height: size, width: size, masks: bitmaps)) : nil)
            return s
        }
    }

    func trainStep(_ model: TwoStageDetector, rng: inout SeededGenerator) throws {
        model.train()
        let batch = Tensor.normal([2, 3, 512, 512], using: &rng)
        let samples = Self.groundTruth(images: 2, size: 512, classes: model.roiHead.numClasses,
                                       masks: model.roiHead.withMask, rng: &rng)
        let params = model.namedParameters().map(\.1).filter(\.requiresGrad)
        let sgd = MomentumSGD(params, lr: 0.01, momentum: 0.9)
        var sampling = SeededGenerator(seed: 1)
        var failure: Error?
        var phases: [[Double]] = [[], [], []]
        let t = Timing.interleavedMedians(reps: reps, warmup: warmup, [{
            do {
                let t0 = DispatchTime.now().uptimeNanoseconds
                for p in params { p.zeroGrad() }
                let losses = try model.loss(inputs: batch, samples: samples, using: &sampling)
                let total = losses.total
                let t1 = DispatchTime.now().uptimeNanoseconds
                total.backward()
                let t2 = DispatchTime.now().uptimeNanoseconds
                sgd.step()
                let t3 = DispatchTime.now().uptimeNanoseconds
                for (i, d) in [t1 - t0, t2 - t1, t3 - t2].enumerated() { phases[i].append(Double(d) * 1e-9) }
            } catch { failure = error }
        }])[0]
        if let failure { throw failure }
        print(String(format: "train-step-ms: %.1f", t * 1000))
        if breakdown {
            let names = ["loss forward", "backward", "sgd step"]
            for (name, values) in zip(names, phases) {
                print(String(format: "  train %@: %.1f ms", name, Timing.median(Array(values.suffix(reps))) * 1000))
            }
        }
    }
}
