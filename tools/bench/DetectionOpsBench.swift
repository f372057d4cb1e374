import ArgumentParser
import Autograd
import Foundation
import Kernels

/// `bench detection-ops`: RoIAlign (forward and backward) and NMS at the sizes of
/// the reference harness's `torch_cpu.py ops` (outside the project; README, Benchmarks), printing the same metric names, so that the two
/// outputs compare line by line: 512 RoIs (x, y in [0, 1000), sides 16..112) on a
/// 1x256x200x304 feature map at scale 1/4, aligned, sampling ratio 0; NMS of 2000 such boxes
/// at IoU 0.7. Also batched NMS over five RPN levels of 2000 boxes (our own metric).
struct DetectionOpsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detection-ops",
        abstract: "RoIAlign forward/backward and NMS at torch_cpu.py ops sizes.")

    @Option(help: "Timed repetitions per measurement (the median is reported).")
    var reps = 7

    @Option(help: "Untimed warm-up runs per measurement.")
    var warmup = 1

    func run() throws {
        print("bench detection-ops: median of \(reps) after \(warmup) warm-up; cores \(Parallel.workers), load \(Timing.loadAverage())")
        var rng = SeededGenerator(seed: 2)
        let features = Tensor.normal([1, 256, 200, 304], using: &rng)
        let boxes = (0..<512).flatMap { _ -> [Float] in
            let x = rng.nextUniform() * 1000, y = rng.nextUniform() * 1000
            return [x, y, x + 16 + rng.nextUniform() * 96, y + 16 + rng.nextUniform() * 96]
        }
        let rois = Tensor(shape: [512, 5], (0..<512).flatMap { [0] + boxes[(4 * $0)..<(4 * $0 + 4)] })
        for size in [7, 14] {
            let x = features.detach()
            x.requiresGrad = true
            var out: Tensor?
            let t = Timing.interleavedMedians(reps: reps, warmup: warmup, [
                { _ = withNoGrad { x.roiAlign(rois: rois, outputSize: (size, size), spatialScale: 0.25) } },
                { out = x.roiAlign(rois: rois, outputSize: (size, size), spatialScale: 0.25) },
                { x.grad = nil; out!.backward(Tensor.ones(out!.shape)) },
            ])
            print(String(format: "roi-align-%dx%d-512-ms: %.1f", size, size, t[0] * 1e3))
            print(String(format: "roi-align-%dx%d-512-backward-ms: %.1f", size, size, t[2] * 1e3))
        }
        nms(boxes, using: &rng)
    }

    func nms(_ boxes512: [Float], using rng: inout SeededGenerator) {
        // 2000 boxes: the 512 repeated with sub-pixel jitter, as torch_cpu.py builds them.
        let jittered = (0..<8000).map { boxes512[$0 % 2048] + rng.nextUniform() }
        let boxes = Tensor(shape: [2000, 4], jittered)
        let scores = Tensor(shape: [2000], (0..<2000).map { _ in rng.nextUniform() })
        // RPN-like: five levels of 2000 clipped boxes each.
        let levelBoxes = Tensor(shape: [10_000, 4], (0..<5).flatMap { _ in jittered })
        let levelScores = Tensor(shape: [10_000], (0..<10_000).map { _ in rng.nextUniform() })
        let levels = (0..<10_000).map { $0 / 2000 }
        var kept = (0, 0)
        let t = Timing.interleavedMedians(reps: 3 * reps, warmup: warmup, [
            { kept.0 = Detection.nms(boxes: boxes, scores: scores, iouThreshold: 0.7).count },
            { kept.1 = Detection.batchedNMS(boxes: levelBoxes, scores: levelScores, idxs: levels, iouThreshold: 0.7,
                                            splitThreshold: .max).count },
        ])
        print(String(format: "nms-2000-ms: %.2f (kept %d)", t[0] * 1e3, kept.0))
        print(String(format: "batched-nms-5x2000-ms: %.2f (kept %d)", t[1] * 1e3, kept.1))
    }
}
