import Autograd
import Config
import Datasets
import Evaluation
import Foundation
import Kernels
import Models
import Structures

extension Runner {
    /// mmengine's ValLoop / TestLoop: the model in eval mode over `loader`, the predictions as
    /// COCO records, then `metric`; logs the summary and `Epoch(val) [E][n/n]  coco/bbox_mAP: ...`
    /// and appends the metrics to scalars.json. `onPrediction` sees each image's detections
    /// (the test tool's --show-dir); `records` receives all of them (--out).
    @discardableResult
    public func evaluate(loader: DataLoader, metric: any Metric, phase: String, epoch: Int? = nil,
                         onPrediction: ((DetSample, Detections) throws -> Void)? = nil,
                         records collected: ((([DetectionRecord]) throws -> Void))? = nil) throws -> [(String, Double)] {
        // Blocks freed by one loop are of sizes the other rarely asks for: give them back to the
        // OS at each switch, so that the peak resident set is the larger loop's, not their sum.
        LargePages.cache.trim()
        model.eval()
        defer {
            LargePages.cache.trim()
            model.train()
        }
        let batches = loader.epoch(0)
        var parts: [ResultExchange.Part] = []
        var done = 0, time = 0.0, dataTime = 0.0
        var clock = Date()
        let total = batches.count
        let interval = try TrainLoopSettings.logInterval(config)
        while let batch = try batches.next() {
            dataTime += Date().timeIntervalSince(clock)
            let b = preprocessor(batch, training: false)
            let detections = try model.predict(inputs: b.inputs, samples: b.samples, proposals: nil, rescale: true)
            for (sample, d) in zip(b.samples, detections) {
                guard let id = sample.meta.imgId, let ori = sample.meta.oriShape, ori.count >= 2 else {
                    throw RunnerError("\(phase): a sample without img_id/ori_shape (PackDetInputs meta_keys must keep them)")
                }
                let position = sample.meta.position ?? parts.count
                parts.append((position, d.records(imageId: id, categoryIds: loader.dataset.categoryIds, height: ori[0], width: ori[1])))
                // The padding's repeats (a share of a job of several processes) are not shown twice.
                if position < loader.dataset.count { try onPrediction?(sample, d) }
            }
            done += 1
            time += Date().timeIntervalSince(clock)
            let eta = time / Double(done) * Double(total - done)
            logger.progress(done: done, total: total, secondsPerIter: time / Double(done), eta: eta)
            if done % interval == 0 && done < total {
                // mmengine logs evaluation progress at the logger interval too.
                let index = String(repeating: " ", count: String(total).count - String(done).count) + "\(done)/\(total)"
                let head = phase == "test" ? "Epoch(test) [\(index)]" : "Epoch(\(phase)) [\(epoch ?? 0)][\(index)]"
                logger.info("\(head)    eta: \(RunLogger.duration(eta))  time: \(String(format: "%.4f", time / Double(done)))  "
                            + "data_time: \(String(format: "%.4f", dataTime / Double(done)))  memory: \(RunLogger.peakMemoryMB())")
            }
            clock = Date()
        }
        // Every process's records on rank 0, which evaluates; the metrics go to every process.
        var metrics: [(String, Double)] = []
        if let records = try ResultExchange.gather(parts, count: loader.dataset.count, over: communicator) {
            try collected?(records)
            let result = try metric.evaluate(records)
            logger.plain(result.text)
            metrics = result.metrics
        }
        metrics = try ResultExchange.broadcast(metrics, over: communicator)
        let head = phase == "test" ? "Epoch(test) [\(done)/\(total)]" : "Epoch(\(phase)) [\(epoch ?? 0)][\(done)/\(total)]"
        let n = Double(max(done, 1))
        let line = [head] + metrics.map { "\($0.0): \(String(format: "%.4f", $0.1))" }
            + ["data_time: \(String(format: "%.4f", dataTime / n))", "time: \(String(format: "%.4f", time / n))"]
        logger.info(line.joined(separator: "    "))
        logger.scalars(metrics + [("data_time", dataTime / n), ("time", time / n), ("step", Double(epoch ?? 0))])
        return metrics
    }

    /// The test tool: loads `checkpoint` (weights), runs `test_dataloader` through the model,
    /// evaluates with `test_evaluator`, writes all detections to `out` (COCO results JSON) and
    /// to `showDir` each image as `<stem>.jpg` with its ground truth (left) and predictions
    /// (right) drawn side by side, as mmdetection's `--show-dir`.
    @discardableResult
    public func test(checkpoint: String, out: String? = nil, showDir: String? = nil,
                     scoreThreshold: Float = 0.3) throws -> [(String, Double)] {
        do { return try testLoop(checkpoint: checkpoint, out: out, showDir: showDir, scoreThreshold: scoreThreshold) } catch {
            logger.error("\(error)")
            throw error
        }
    }

    /// The test set's detections by the model with `checkpoint`'s weights, as `test --out`
    /// writes them (the metrics are computed and logged too); for the analysis tools.
    public func testRecords(checkpoint: String) throws -> [DetectionRecord] {
        try RuntimeSections.checkLoop(config, "test_cfg")
        try loadWeights(checkpoint)
        guard let loader = try dataloader("test_dataloader") else { throw RunnerError("the config has no test_dataloader") }
        guard let metric = try evaluator("test_evaluator") else { throw RunnerError("the config has no test_evaluator") }
        var all: [DetectionRecord] = []
        try evaluate(loader: loader, metric: metric, phase: "test", records: { all = $0 })
        return all
    }

    private func testLoop(checkpoint: String, out: String?, showDir: String?, scoreThreshold: Float) throws -> [(String, Double)] {
        try RuntimeSections.checkLoop(config, "test_cfg")
        // Outputs are checked before the long work, not after it.
        // Only rank 0 writes --out (the other processes' machines need not have its folder).
        if let out, communicator.isMain {
            guard out.hasSuffix(".json") else {
                throw RunnerError("--out \(out): SwiftDet writes COCO results JSON; give a .json file (mmdetection's .pkl is not written)")
            }
            let folder = (out as NSString).deletingLastPathComponent
            if let why = FileCheck.cannotWrite(into: folder.isEmpty ? "." : folder) { throw RunnerError("--out \(out): \(why)") }
        }
        if let showDir, let why = FileCheck.cannotWrite(into: showDir) { throw RunnerError("--show-dir: \(why)") }
        try loadWeights(checkpoint)
        guard let loader = try dataloader("test_dataloader") else { throw RunnerError("the config has no test_dataloader") }
        guard let metric = try evaluator("test_evaluator") else { throw RunnerError("the config has no test_evaluator") }
        let drawer = DetectionDrawer(dataset: loader.dataset, scoreThreshold: scoreThreshold)
        if let showDir { try FileManager.default.createDirectory(atPath: showDir, withIntermediateDirectories: true) }
        let dataset = loader.dataset
        let indexOfImage = Dictionary((0..<dataset.count).map { (dataset.info($0).imgId, $0) }, uniquingKeysWith: { a, _ in a })
        let show: ((DetSample, Detections) throws -> Void)? = showDir.map { dir in
            { sample, d in
                guard let path = sample.meta.imgPath else { return }
                let image = try ImageDecoder.load(path: path)
                var drawn = drawer.draw(on: image, detections: d)
                // Ground truth left, predictions right, as DetLocalVisualizer.add_datasample.
                if let id = sample.meta.imgId, let index = indexOfImage[id] {
                    let info = dataset.info(index)
                    if info.height == image.height && info.width == image.width {
                        let gt = try info.groundTruth()
                        drawn = DetectionDrawer.sideBySide(
                            drawer.draw(on: image, boxes: gt.boxes, labels: gt.labels, masks: gt.masks), drawn)
                    }
                }
                let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
                try ImageWriter.write(drawn, to: "\(dir)/\(stem).jpg")
            }
        }
        return try evaluate(loader: loader, metric: metric, phase: "test", onPrediction: show, records: { records in
            if let out {
                try ResultsWriter.write(records, to: out)
                self.logger.info("Results written to \(out) (\(records.count) detections)")
            }
        })
    }
}
