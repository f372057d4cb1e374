import Autograd
import Config
import Datasets
import Foundation
import Kernels
import Models
import NN

/// The numbers of one training iteration (what the log lines and scalars.json report).
public struct IterationRecord {
    public var epoch: Int
    /// 1-based index in the epoch and over the run.
    public var iterInEpoch: Int
    public var iteration: Int
    public var lr: Double
    public var losses: [(String, Double)]
    public var loss: Double
    public var time: Double
    public var dataTime: Double
    public var gradNorm: Double?
}

/// The loop settings of `train_cfg`, `default_hooks` and `log_processor`.
struct TrainLoopSettings {
    var maxEpochs: Int
    var valInterval: Int
    var valBegin: Int
    var logInterval: Int
    var window: Int

    init(_ config: ConfigView) throws {
        let t = try config.view("train_cfg")
        try t.accept(["type", "max_epochs", "val_interval", "val_begin", "dynamic_intervals"])
        let type = try t.string("type", default: "EpochBasedTrainLoop")
        guard type == "EpochBasedTrainLoop" else {
            throw t.error("type", "unsupported train loop '\(type)' (SwiftDet has EpochBasedTrainLoop)")
        }
        maxEpochs = try t.int("max_epochs")
        guard maxEpochs >= 1 else { throw t.error("max_epochs", "must be >= 1") }
        valInterval = try t.int("val_interval", default: 1)
        guard valInterval >= 1 else { throw t.error("val_interval", "must be >= 1") }
        valBegin = try t.int("val_begin", default: 1)
        logInterval = 50
        if let hooks = try config.optionalView("default_hooks"), let l = try hooks.optionalView("logger") {
            logInterval = try l.int("interval", default: 10)
            guard logInterval >= 1 else { throw l.error("interval", "must be >= 1") }
        }
        window = 10
        if let p = try config.optionalView("log_processor") {
            if case .int(let w)? = p.value("window_size") { window = max(1, w) }
        }
    }
}

extension Runner {
    /// mmengine's EpochBasedTrainLoop: resume or load_from, then per epoch the iterations
    /// (loss, backward, optimizer step, schedulers), the interval log lines, the checkpoint,
    /// and the ValLoop every `val_interval` epochs (and after the last). A non-finite loss
    /// stops the run with an error naming the iteration and the losses; the checkpoints
    /// written so far are untouched. `onIteration` sees every iteration's numbers.
    @discardableResult
    public func train(onIteration: ((IterationRecord) -> Void)? = nil) throws -> [(String, Double)] {
        let s = try TrainLoopSettings(config)
        let optim = try OptimWrapper(config: try config.view("optim_wrapper"), model: model)
        let checkpoints = try config.optionalView("default_hooks").flatMap { try $0.optionalView("checkpoint") }
            .map { try CheckpointManager(config: $0, workDir: workDir) } ?? CheckpointManager(workDir: workDir)
        var resumed: CheckpointSidecar?
        let resumeFlag = try config.bool("resume", default: false)
        let resumeRequest = options.resume ?? (resumeFlag ? .auto : nil)
        if let request = resumeRequest {
            let source: CheckpointManager.ResumeSource
            switch request {
            case .auto: source = .auto
            case .path(let p): source = .path(p)
            }
            resumed = try checkpoints.resume(from: source, model: model, optimizer: optim, log: { [logger] in logger.info($0) })
        }
        if resumed == nil, let loadFrom = try config.optionalString("load_from") { try loadWeights(loadFrom) }
        // mmengine resumes with the checkpoint's seed, so the data order continues as it was.
        let runSeed = resumed?.meta["seed"].flatMap { UInt64($0) } ?? seed
        guard let trainView = try config.optionalView("train_dataloader") else {
            throw RunnerError("the config has no train_dataloader")
        }
        let loader = try DataLoader(config: trainView, seed: runSeed, warn: { [logger] in logger.info("WARNING: \($0)") })
        let val = try validationSetup()
        if options.autoScaleLR, resumed == nil {
            let auto = try config.optionalView("auto_scale_lr").map { try AutoScaleLR(config: $0) }
            guard let auto else { throw RunnerError("--auto-scale-lr: the config has no auto_scale_lr (base_batch_size)") }
            let r = AutoScaleLR(enable: true, baseBatchSize: auto.baseBatchSize).apply(to: optim, realBatchSize: loader.batchSize)
            logger.info("LR is scaled by \(r ?? 1) (batch \(loader.batchSize) / base_batch_size \(auto.baseBatchSize))")
        }
        let epochLength = loader.batchIndices(epoch: 0).count
        var lrs = optim.learningRates
        var scheduler = try LRScheduler(config: config, epochLength: epochLength, maxEpochs: s.maxEpochs, values: &lrs)
        if let saved = resumed?.scheduler {
            // The checkpoint holds both the schedulers' counters and the lrs they produced.
            scheduler = saved
            lrs = optim.learningRates
        } else {
            optim.learningRates = lrs
        }
        var rng = resumed?.rng["model"] ?? SeededGenerator(seed: runSeed &+ 0x5EED)
        var iteration = resumed?.iteration ?? 0
        let startEpoch = resumed?.epoch ?? 0
        let configText = (try? ConfigDump.python(config.dict)) ?? ConfigDump.json(config.dict)
        var meter = IterationMeter(window: s.window)
        var lastMetrics: [(String, Double)] = []
        let totalIters = s.maxEpochs * epochLength
        logger.info("Start training: \(s.maxEpochs) epochs of \(epochLength) iterations (batch \(loader.batchSize)), from epoch \(startEpoch + 1)")
        model.train()
        for epoch in startEpoch..<s.maxEpochs {
            let batches = loader.epoch(epoch)
            var inEpoch = 0
            var clock = Date()
            while let batch = try batches.next() {
                let dataTime = Date().timeIntervalSince(clock)
                let lr = optim.currentLR
                let b = preprocessor(batch, training: true)
                inEpoch += 1
                iteration += 1
                func diverged(_ detail: String) -> RunnerError {
                    let last = checkpoints.kept.last.map { "\(workDir)/\($0).safetensors" } ?? "none (no epoch finished)"
                    return RunnerError("non-finite loss at epoch \(epoch + 1), iteration \(inEpoch)/\(epochLength) (iteration \(iteration) of the run): \(detail). Training stopped; the last good checkpoint is \(last)")
                }
                let losses: DetectorLosses
                do { losses = try model.loss(inputs: b.inputs, samples: b.samples, using: &rng) } catch let e as NonFiniteError {
                    throw diverged(e.description)
                }
                let total = losses.total
                let values = losses.items.map { ($0.name, Double($0.value.scalars[0])) }
                let totalValue = Double(total.scalars[0])
                guard totalValue.isFinite, values.allSatisfy({ $0.1.isFinite }) else {
                    throw diverged(([("loss", totalValue)] + values).map { "\($0.0)=\($0.1)" }.joined(separator: ", "))
                }
                optim.zeroGrad()
                total.backward()
                let gradNorm = optim.step()
                scheduler.afterTrainIter(&lrs)
                optim.learningRates = lrs
                let record = IterationRecord(epoch: epoch + 1, iterInEpoch: inEpoch, iteration: iteration, lr: lr,
                                             losses: values, loss: totalValue, time: Date().timeIntervalSince(clock),
                                             dataTime: dataTime, gradNorm: gradNorm)
                meter.add(record)
                onIteration?(record)
                let eta = meter.meanTime * Double(totalIters - iteration)
                if iteration % s.logInterval == 0 || inEpoch == epochLength {
                    logIteration(record, meter: meter, epochLength: epochLength, eta: eta)
                } else {
                    logger.progress(done: inEpoch, total: epochLength, secondsPerIter: meter.meanTime, eta: eta)
                }
                clock = Date()
            }
            scheduler.afterTrainEpoch(&lrs)
            optim.learningRates = lrs
            let progress = TrainingProgress(epoch: epoch + 1, iteration: iteration, scheduler: scheduler, rng: ["model": rng],
                                            config: configText, meta: ["seed": "\(runSeed)", "config": configName])
            if checkpoints.shouldSave(epoch: epoch + 1, maxEpochs: s.maxEpochs) {
                let path = try checkpoints.save(model: model, optimizer: optim, progress: progress)
                logger.info("Saving checkpoint at \(epoch + 1) epochs: \(path)")
            }
            let done = epoch + 1
            if let val, done >= s.valBegin, done % s.valInterval == 0 || done == s.maxEpochs {
                lastMetrics = try evaluate(loader: val.loader, metric: val.metric, phase: "val", epoch: done)
                if try checkpoints.saveBestIfImproved(metrics: lastMetrics, model: model, progress: progress) {
                    logger.info("The best checkpoint so far (\(checkpoints.best?.metric ?? "?") \(checkpoints.best?.score ?? 0)) is saved: \(workDir)/\(checkpoints.best?.stem ?? "?").safetensors")
                }
                model.train()
            }
        }
        return lastMetrics
    }

    /// The val dataloader and evaluator, or nil when the config has no validation.
    func validationSetup() throws -> (loader: DataLoader, metric: CocoMetric)? {
        guard config.contains("val_cfg"), !(config.value("val_cfg")?.isNone ?? true),
              let loader = try dataloader("val_dataloader"), let metric = try evaluator("val_evaluator") else { return nil }
        return (loader, metric)
    }

    /// `Epoch(train)  [1][ 50/7330]  base_lr: ... lr: ...  eta: ...  time: ...  data_time: ...
    /// memory: ...  loss: ...  loss_rpn_cls: ...`, averaged over the log window, and the same
    /// numbers appended to scalars.json.
    func logIteration(_ r: IterationRecord, meter: IterationMeter, epochLength: Int, eta: Double) {
        let width = String(epochLength).count
        let idx = String(repeating: " ", count: max(0, width - String(r.iterInEpoch).count)) + String(r.iterInEpoch)
        var parts = ["Epoch(train)  [\(r.epoch)][\(idx)/\(epochLength)]",
                     "lr: \(String(format: "%.4e", r.lr))", "eta: \(RunLogger.duration(eta))",
                     "time: \(String(format: "%.4f", meter.meanTime))", "data_time: \(String(format: "%.4f", meter.meanDataTime))",
                     "memory: \(RunLogger.peakMemoryMB())"]
        if let g = meter.mean("grad_norm") { parts.append("grad_norm: \(String(format: "%.4f", g))") }
        let names = ["loss"] + r.losses.map(\.0)
        var scalars: [(String, Double)] = [("lr", r.lr), ("data_time", meter.meanDataTime), ("time", meter.meanTime)]
        for name in names {
            let v = meter.mean(name) ?? .nan
            parts.append("\(name): \(String(format: "%.4f", v))")
            scalars.append((name, v))
        }
        logger.info(parts.joined(separator: "  "))
        scalars += [("epoch", Double(r.epoch)), ("iter", Double(r.iteration)), ("memory", Double(RunLogger.peakMemoryMB())),
                    ("step", Double(r.iteration))]
        logger.scalars(scalars)
    }
}

/// The sliding window of mmengine's LogProcessor: means of the last `window` iterations.
struct IterationMeter {
    let window: Int
    private var records: [IterationRecord] = []
    init(window: Int) { self.window = window }

    mutating func add(_ r: IterationRecord) {
        records.append(r)
        if records.count > window { records.removeFirst(records.count - window) }
    }

    var meanTime: Double { records.isEmpty ? 0 : records.map(\.time).reduce(0, +) / Double(records.count) }
    var meanDataTime: Double { records.isEmpty ? 0 : records.map(\.dataTime).reduce(0, +) / Double(records.count) }

    func mean(_ name: String) -> Double? {
        let values: [Double] = records.compactMap { r in
            switch name {
            case "loss": return r.loss
            case "grad_norm": return r.gradNorm
            default: return r.losses.first { $0.0 == name }?.1
            }
        }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
