import Autograd
import Config
import Datasets
import Distributed
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
    /// Seconds spent averaging the gradients over the processes (nil in a job of one).
    public var commTime: Double? = nil
}

/// The loop settings of `train_cfg`, `default_hooks` and `log_processor`.
struct TrainLoopSettings {
    /// `default_hooks.logger.interval` (LoggerHook's default 10; 50 without a logger hook),
    /// for the training and the evaluation log lines alike.
    static func logInterval(_ config: ConfigView) throws -> Int {
        guard let logger = try config.optionalView("default_hooks").flatMap({ try $0.optionalView("logger") }) else { return 50 }
        return try logger.int("interval", default: 10, atLeast: 1)
    }

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
        maxEpochs = try t.int("max_epochs", atLeast: 1)
        valInterval = try t.int("val_interval", default: 1)
        guard valInterval >= 1 else { throw t.error("val_interval", "must be >= 1") }
        valBegin = try t.int("val_begin", default: 1, atLeast: 0)
        logInterval = try Self.logInterval(config)
        window = try config.optionalView("log_processor")?.int("window_size", default: 10, atLeast: 1) ?? 10
    }
}

/// What one training run carries from iteration to iteration.
final class TrainRun {
    let settings: TrainLoopSettings
    let optim: OptimWrapper
    let checkpoints: CheckpointManager
    let loader: DataLoader
    let val: (loader: DataLoader, metric: any Metric)?
    let epochLength: Int
    let runSeed: UInt64
    let startEpoch: Int
    /// The merged config as text, saved with every checkpoint.
    let configText: String
    var scheduler: LRScheduler
    var lrs: [Double]
    var rng: SeededGenerator
    var iteration: Int
    var meter: IterationMeter
    /// `log_level='DEBUG'`: the replicas' weights are compared after every step.
    var checkReplicasEachStep = false

    init(settings: TrainLoopSettings, optim: OptimWrapper, checkpoints: CheckpointManager, loader: DataLoader,
         val: (loader: DataLoader, metric: any Metric)?, runSeed: UInt64, resumed: CheckpointSidecar?,
         scheduler: LRScheduler, lrs: [Double], configText: String) {
        self.settings = settings
        self.optim = optim
        self.checkpoints = checkpoints
        self.loader = loader
        self.val = val
        self.epochLength = loader.batchIndices(epoch: 0).count
        self.runSeed = runSeed
        self.startEpoch = resumed?.epoch ?? 0
        self.configText = configText
        self.scheduler = scheduler
        self.lrs = lrs
        self.rng = resumed?.rng["model"] ?? SeededGenerator(seed: runSeed &+ 0x5EED)
        self.iteration = resumed?.iteration ?? 0
        self.meter = IterationMeter(window: settings.window)
        // mmengine keeps the message hub's history in its checkpoints: the log's smoothing
        // window goes on where it was, with no jump in the curves at a resume.
        if let saved = resumed?.meta[IterationMeter.metaKey] { meter.restore(saved) }
    }

    var totalIterations: Int { settings.maxEpochs * epochLength }
}

extension Runner {
    /// mmengine's EpochBasedTrainLoop: resume or load_from, then per epoch the iterations
    /// (loss, backward, optimizer step, schedulers), the interval log lines, the checkpoint,
    /// and the ValLoop every `val_interval` epochs (and after the last). A non-finite loss
    /// stops the run with an error naming the iteration and the losses; the checkpoints
    /// written so far are untouched. `onIteration` sees every iteration's numbers; an error it
    /// throws ends the run there (as any other error: logged and rethrown).
    @discardableResult
    public func train(onIteration: ((IterationRecord) throws -> Void)? = nil) throws -> [(String, Double)] {
        do { return try trainLoop(onIteration: onIteration) } catch {
            logger.error("\(error)")
            throw error
        }
    }

    private func trainLoop(onIteration: ((IterationRecord) throws -> Void)?) throws -> [(String, Double)] {
        let run = try startTraining()
        var lastMetrics: [(String, Double)] = []
        guard run.startEpoch < run.settings.maxEpochs else {
            logger.info("The run has already trained its \(run.settings.maxEpochs) epochs (resumed after epoch \(run.startEpoch)): nothing to train")
            return []
        }
        logger.info("Start training: \(run.settings.maxEpochs) epochs of \(run.epochLength) iterations "
                    + "(batch \(run.loader.batchSize)), from epoch \(run.startEpoch + 1)")
        model.train()
        for epoch in run.startEpoch..<run.settings.maxEpochs {
            let batches = run.loader.epoch(epoch)
            // Every process takes a step for every batch; one whose samples were all skipped
            // makes every process skip that step together.
            batches.deliversEmptyBatches = parallel != nil
            try checkEqualSteps(batches.count, epoch: epoch)
            var inEpoch = 0
            var clock = Date()
            while let batch = try batches.next() {
                inEpoch += 1
                guard let record = try trainIteration(batch, run, epoch: epoch, inEpoch: inEpoch, since: clock) else {
                    logger.info("Iteration \(inEpoch)/\(run.epochLength) of epoch \(epoch + 1) skipped: a process of the job had no sample left in its batch")
                    clock = Date()
                    continue
                }
                try onIteration?(record)
                let eta = run.meter.meanTime * Double(run.totalIterations - run.iteration)
                if run.iteration % run.settings.logInterval == 0 || inEpoch == run.epochLength {
                    logIteration(record, meter: run.meter, epochLength: run.epochLength, eta: eta)
                } else {
                    logger.progress(done: inEpoch, total: run.epochLength, secondsPerIter: run.meter.meanTime, eta: eta)
                }
                clock = Date()
            }
            if let metrics = try endEpoch(epoch, run) { lastMetrics = metrics }
        }
        return lastMetrics
    }

    /// The run's state: optimizer, checkpoints (resumed, or `load_from`), the train loader with
    /// the run's seed, validation, `--auto-scale-lr`, and the LR schedule (the checkpoint's
    /// when resuming).
    func startTraining() throws -> TrainRun {
        let settings = try TrainLoopSettings(config)
        let optim = try OptimWrapper(config: try config.view("optim_wrapper"), model: model)
        let checkpoints = try config.optionalView("default_hooks").flatMap { try $0.optionalView("checkpoint") }
            .map { try CheckpointManager(config: $0, workDir: workDir) } ?? CheckpointManager(workDir: workDir)
        var resumed: CheckpointSidecar?
        let resumeFlag = try config.bool("resume", default: false)
        if let request = options.resume ?? (resumeFlag ? .auto : nil) {
            let source: CheckpointManager.ResumeSource
            switch request {
            case .auto: source = .auto
            case .path(let p): source = .path(p)
            }
            resumed = try resume(from: source, checkpoints: checkpoints, optim: optim)
        }
        if resumed == nil, let loadFrom = try config.optionalString("load_from") { try loadWeights(loadFrom) }
        // mmengine resumes with the checkpoint's seed, so the data order continues as it was.
        let runSeed = resumed?.meta["seed"].flatMap { UInt64($0) } ?? seed
        // As mmengine, a run resumes with as many processes as it had: the data order, the
        // batch and the LR depend on them.
        if let saved = resumed?.meta["world_size"].flatMap({ Int($0) }), saved != communicator.size {
            throw RunnerError("the checkpoint was saved by a run of \(saved) process\(saved == 1 ? "" : "es") and this run has "
                              + "\(communicator.size): resume with \(saved) (tools/dist_train.sh CONFIG \(saved)), or start a new run "
                              + "from its weights with load_from")
        }
        guard let trainView = try config.optionalView("train_dataloader") else {
            throw RunnerError("the config has no train_dataloader")
        }
        let loader = try DataLoader(config: trainView, seed: runSeed, shard: shard, warn: warning)
        try checkClasses(loader.dataset, "train_dataloader")
        let val = try validationSetup()
        if options.autoScaleLR, resumed == nil {
            let auto = try config.optionalView("auto_scale_lr").map { try AutoScaleLR(config: $0) }
            guard let auto else { throw RunnerError("--auto-scale-lr: the config has no auto_scale_lr (base_batch_size)") }
            // mmengine's real batch: the world size times each process's batch.
            let real = loader.batchSize * communicator.size
            let r = AutoScaleLR(enable: true, baseBatchSize: auto.baseBatchSize).apply(to: optim, realBatchSize: real)
            logger.info("LR is scaled by \(r ?? 1) (batch \(communicator.size > 1 ? "\(communicator.size) x \(loader.batchSize)" : "\(real)") "
                        + "/ base_batch_size \(auto.baseBatchSize))")
        }
        let epochLength = loader.batchIndices(epoch: 0).count
        var lrs = optim.learningRates
        var scheduler = try LRScheduler(config: config, epochLength: epochLength, maxEpochs: settings.maxEpochs, values: &lrs)
        if let saved = resumed?.scheduler {
            // The checkpoint holds both the schedulers' counters and the lrs they produced.
            scheduler = saved
            lrs = optim.learningRates
        } else {
            optim.learningRates = lrs
        }
        let configText = (try? ConfigDump.python(config.dict)) ?? ConfigDump.json(config.dict)
        let run = TrainRun(settings: settings, optim: optim, checkpoints: checkpoints, loader: loader, val: val, runSeed: runSeed,
                           resumed: resumed, scheduler: scheduler, lrs: lrs, configText: configText)
        run.checkReplicasEachStep = try config.optionalString("log_level")?.uppercased() == "DEBUG"
        return run
    }

    /// One iteration: preprocess, losses (a non-finite one stops the run), backward, optimizer
    /// step, the per-iteration scheduler step. `since`: when this iteration's data loading began.
    /// nil: a process of the job had an empty batch, and every process skips the step.
    func trainIteration(_ batch: [PackedSample], _ run: TrainRun, epoch: Int, inEpoch: Int, since clock: Date) throws -> IterationRecord? {
        let dataTime = Date().timeIntervalSince(clock)
        let lr = run.optim.currentLR
        run.iteration += 1
        func diverged(_ detail: String) -> RunnerError {
            // Rank 0 alone saves, so only it knows the last checkpoint.
            let last = !communicator.isMain ? "rank 0's (its error names it)"
                : run.checkpoints.kept.last.map { "\(workDir)/\($0).safetensors" } ?? "none (no epoch finished)"
            return RunnerError("non-finite loss at epoch \(epoch + 1), iteration \(inEpoch)/\(run.epochLength) (iteration "
                               + "\(run.iteration) of the run): \(detail). Training stopped; the last good checkpoint is \(last)")
        }
        // A non-finite loss on any process stops every process at this iteration (one flag,
        // all-reduced before backward); non-finite gradients are flagged by the averaging.
        if let parallel {
            // Before any collective of the forward (synchronized norms): a process whose batch
            // lost every sample makes all of them skip the step together.
            var empty = [batch.isEmpty ? 1.0 : 0.0]
            try parallel.communicator.allReduceMax(&empty)
            if empty[0] > 0 {
                run.iteration -= 1
                return nil
            }
        }
        var failure: String?
        var losses: DetectorLosses?
        if !batch.isEmpty {
            let b = preprocessor(batch, training: true)
            do { losses = try model.loss(inputs: b.inputs, samples: b.samples, proposals: nil, using: &run.rng) } catch let e as NonFiniteError {
                failure = e.description
            }
        }
        let total = losses?.total
        var values = losses?.items.map { ($0.name, Double($0.value.scalars[0])) } ?? []
        var totalValue = total.map { Double($0.scalars[0]) } ?? .nan
        if failure == nil, losses != nil, !(totalValue.isFinite && values.allSatisfy({ $0.1.isFinite })) {
            failure = ([("loss", totalValue)] + values).map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
        }
        if let parallel {
            var flag = [failure == nil ? 0.0 : 1.0]
            try parallel.communicator.allReduceMax(&flag)
            if flag[0] > 0 { throw diverged(failure ?? "a non-finite loss on another process of the job") }
        } else if let failure {
            throw diverged(failure)
        }
        run.optim.zeroGrad()
        total?.backward()
        var commTime: Double?
        if let parallel {
            // Gradients and logged losses become their means over the processes.
            let start = Date()
            defer { commTime = Date().timeIntervalSince(start) }
            var logs = [totalValue] + values.map(\.1)
            if try parallel.averageGradients(logValues: &logs) {
                throw diverged("non-finite gradients (loss=\(totalValue) here) on a process of the job")
            }
            totalValue = logs[0]
            values = zip(values, logs.dropFirst()).map { ($0.0, $1) }
        }
        let gradNorm = run.optim.step()
        if let parallel, run.checkReplicasEachStep {
            try checkReplicas(parallel, "iteration \(run.iteration)")
            logger.info("Iteration \(run.iteration): the \(parallel.communicator.size) processes hold the same weights")
        }
        run.scheduler.afterTrainIter(&run.lrs)
        run.optim.learningRates = run.lrs
        let record = IterationRecord(epoch: epoch + 1, iterInEpoch: inEpoch, iteration: run.iteration, lr: lr,
                                     losses: values, loss: totalValue, time: Date().timeIntervalSince(clock),
                                     dataTime: dataTime, gradNorm: gradNorm, commTime: commTime)
        run.meter.add(record)
        return record
    }

    /// The end of an epoch: the per-epoch scheduler step, the checkpoint, and validation when
    /// due (with save_best); the metrics, or nil when no validation ran.
    func endEpoch(_ epoch: Int, _ run: TrainRun) throws -> [(String, Double)]? {
        run.scheduler.afterTrainEpoch(&run.lrs)
        run.optim.learningRates = run.lrs
        let done = epoch + 1, s = run.settings
        if let parallel { try checkReplicas(parallel, "epoch \(done)") }
        let progress = TrainingProgress(epoch: done, iteration: run.iteration, scheduler: run.scheduler, rng: ["model": run.rng],
                                        config: run.configText,
                                        meta: ["seed": "\(run.runSeed)", "config": configName, IterationMeter.metaKey: run.meter.saved,
                                               "world_size": "\(communicator.size)"])
        if communicator.isMain, run.checkpoints.shouldSave(epoch: done, maxEpochs: s.maxEpochs) {
            let path = try run.checkpoints.save(model: model, optimizer: run.optim, progress: progress)
            logger.info("Saving checkpoint at \(done) epochs: \(path)")
        }
        guard let val = run.val, done >= s.valBegin, done % s.valInterval == 0 || done == s.maxEpochs else { return nil }
        let metrics = try evaluate(loader: val.loader, metric: val.metric, phase: "val", epoch: done)
        if communicator.isMain, try run.checkpoints.saveBestIfImproved(metrics: metrics, model: model, progress: progress) {
            let best = run.checkpoints.best
            logger.info("The best checkpoint so far (\(best?.metric ?? "?") \(best?.score ?? 0)) is saved: "
                        + "\(workDir)/\(best?.stem ?? "?").safetensors")
        }
        model.train()
        return metrics
    }

    /// Every process of a job must take as many steps in an epoch (each step's collectives pair
    /// up across the processes); a sampler that gives them unequal shares is an error.
    func checkEqualSteps(_ steps: Int, epoch: Int) throws {
        guard let parallel else { return }
        var extremes = [Double(steps), -Double(steps)]
        try parallel.communicator.allReduceMax(&extremes)
        guard extremes[0] == -extremes[1] else {
            throw RunnerError("train_dataloader: the processes have between \(Int(-extremes[1])) and \(Int(extremes[0])) batches in "
                              + "epoch \(epoch + 1); every process must take the same steps (a sampler with round_up=False shares "
                              + "the data unequally: use round_up=True, mmengine's default)")
        }
    }

    /// Every process must hold the same weights after a step (they apply the same averaged
    /// gradients): checked at every epoch's end, and after every step with `log_level='DEBUG'`.
    func checkReplicas(_ parallel: DataParallel, _ when: String) throws {
        guard try parallel.replicasAgree(model, parametersOnly: true) else {
            throw RunnerError("the processes' weights differ after \(when): the replicas of a data-parallel run must stay identical "
                              + "(a collective that gave the processes different sums?)")
        }
    }

    /// `resume`/`--resume`: in a job of several processes rank 0 finds the checkpoint (`auto`:
    /// the work dir's last_checkpoint) and every process loads that file (all must see it, as
    /// in mmengine); then rank 0's state is sent to all.
    func resume(from source: CheckpointManager.ResumeSource, checkpoints: CheckpointManager, optim: OptimWrapper) throws -> CheckpointSidecar? {
        var source = source
        if communicator.size > 1, source == .auto {
            let found = communicator.isMain ? (checkpoints.latestPath() ?? "") : ""
            let path = String(decoding: try communicator.broadcast(Array(found.utf8), root: 0), as: UTF8.self)
            guard !path.isEmpty else {
                logger.info("No checkpoint found in \(workDir) (no \(CheckpointManager.latestPointer)); training starts from scratch.")
                return nil
            }
            source = .path(path)
        }
        let resumed = try checkpoints.resume(from: source, model: model, optimizer: optim, log: { [logger] in logger.info($0) })
        try agreeOnState("the checkpoint's weights")
        return resumed
    }

    /// The val dataloader and evaluator, or nil when the config has no validation.
    func validationSetup() throws -> (loader: DataLoader, metric: any Metric)? {
        try RuntimeSections.checkLoop(config, "val_cfg")
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
        var scalars: [(String, Double)] = [("lr", r.lr), ("data_time", meter.meanDataTime), ("time", meter.meanTime)]
        if let g = meter.mean("grad_norm") {
            parts.append("grad_norm: \(String(format: "%.4f", g))")
            scalars.append(("grad_norm", g))
        }
        if let c = meter.mean("comm_time") {
            // SwiftDet's own: the share of a step spent averaging gradients across processes.
            parts.insert("comm_time: \(String(format: "%.4f", c))", at: 5)
            scalars.append(("comm_time", c))
        }
        let names = ["loss"] + r.losses.map(\.0)
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
