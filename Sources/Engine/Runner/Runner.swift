import Autograd
import Config
import Datasets
import Distributed
import Foundation
import Kernels
import Models
import NN

/// What the `train` / `test` tools pass besides the config (mmdetection's CLI flags).
public struct RunOptions {
    public enum Resume: Equatable { case auto, path(String) }
    public var workDir: String?
    public var resume: Resume?
    public var autoScaleLR = false
    public var seed: UInt64?
    /// Print log lines on stdout too (they always go to the log file).
    public var echo = true
    /// The processes of a data-parallel job (`--launcher mpi`); a job of one by default.
    public var communicator: any Communicator = SingleProcess()
    public init() {}
}

/// mmengine's Runner for SwiftDet's detectors: builds the model, its data preprocessor,
/// dataloaders, evaluators, optimizer wrapper and schedulers from a merged config, and runs
/// the EpochBasedTrainLoop (with ValLoop every `val_interval` epochs) or the TestLoop.
public final class Runner {
    public let config: ConfigView
    /// The config file name, for the work dir and the config copy.
    public let configName: String
    public let workDir: String
    public let seed: UInt64
    public let model: any Detector
    public let preprocessor: DetDataPreprocessor
    public let logger: RunLogger
    /// Gradient averaging over the processes of a data-parallel job; nil in a job of one.
    public let parallel: DataParallel?
    let options: RunOptions

    /// The processes of the job (rank 0 alone writes files and logs).
    public var communicator: any Communicator { options.communicator }

    /// Builds the model from `config` (initialised as mmdetection's `init_weights`, from the
    /// seed) and opens the run's log. `configPath` names the config in the work dir.
    public init(config: ConfigView, configPath: String, options: RunOptions = RunOptions(), logToFiles: Bool = true) throws {
        self.config = config
        self.options = options
        let stem = ((configPath as NSString).lastPathComponent as NSString).deletingPathExtension
        configName = (configPath as NSString).lastPathComponent
        let configured = try config.optionalString("work_dir")
        workDir = options.workDir ?? configured ?? "./work_dirs/\(stem)"
        let comm = options.communicator
        var seed: UInt64
        if let s = options.seed {
            seed = s
        } else if let r = try config.optionalView("randomness"), let s = try r.optionalInt("seed") {
            seed = UInt64(truncatingIfNeeded: s)
        } else {
            seed = UInt64.random(in: 0..<(1 << 31))  // mmengine draws one and logs it
        }
        if comm.size > 1 { seed = try ResultExchange.rootSeed(seed, over: comm) }
        self.seed = seed
        // In a job of several processes rank 0 alone writes (mmengine's master_only).
        let writes = logToFiles && comm.isMain
        if writes {
            if let why = FileCheck.cannotWrite(into: workDir) { throw RunnerError("work dir: \(why)") }
            do { try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true) } catch {
                throw RunnerError("work dir \(workDir) cannot be made")
            }
        }
        try RuntimeSections.check(config)
        let wrapper = try ModelWrapperSettings(config: config)
        logger = try RunLogger(workDir: writes ? workDir : nil, echo: options.echo && comm.isMain)
        model = try ModelRegistry.detectors.build(try config.view("model"))
        preprocessor = try DetDataPreprocessor(config: try config.view("model").view("data_preprocessor"))
        try model.initWeights(seed: seed)
        model.train()
        parallel = comm.size > 1 ? DataParallel(model: model, communicator: comm, bucketCapMB: wrapper.bucketCapMB) : nil
        try parallel?.broadcastState(of: model)
        let everyBN = try NormSync.convertsEveryBN(config)
        logger.info("Config: \(configPath); work dir: \(workDir); seed: \(seed)")
        if comm.size > 1 {
            let synced = try NormSync.attach(to: model, communicator: comm, everyBN: everyBN)
            logger.info("Data parallel over \(comm.size) processes (MPI); gradient buckets of \(wrapper.bucketCapMB) MB"
                        + (synced > 0 ? "; \(synced) norm layers with synchronized statistics" : ""))
        }
        logger.info(BLASEnvironment.summary)
        if writes {
            // The merged config, as mmengine dumps it; JSON when it has no Python form.
            let (text, ext) = (try? ConfigDump.python(config.dict)).map { ($0, ".py") } ?? (ConfigDump.json(config.dict), ".json")
            try CheckpointIO.atomicWrite(Data(text.utf8), to: workDir + "/" + stem + ext)
        }
    }

    /// A dataloader of the config (`train_dataloader`, `val_dataloader`, `test_dataloader`),
    /// or nil when the key is absent or None.
    public func dataloader(_ key: String) throws -> DataLoader? {
        guard let view = try config.optionalView(key) else { return nil }
        let loader = try DataLoader(config: view, seed: seed, shard: shard, warn: warning)
        try checkClasses(loader.dataset, key)
        return loader
    }

    /// A warning (a skipped sample): a WARNING line of rank 0's log; the other processes of a
    /// job, whose logs are silent, print it on standard error with their rank.
    var warning: @Sendable (String) -> Void {
        let (logger, rank, size) = (logger, communicator.rank, communicator.size)
        if rank == 0 { return { logger.info("WARNING: \($0)") } }
        return { FileHandle.standardError.write(Data("warning: [process \(rank) of \(size)] \($0)\n".utf8)) }
    }

    /// This process's share of each epoch.
    var shard: Shard { Shard(rank: communicator.rank, world: communicator.size) }

    /// mmdetection's NumClassCheckHook, before any iteration: the model predicts as many
    /// classes as the dataset has.
    func checkClasses(_ dataset: any DetectionDataset, _ key: String) throws {
        guard model.numClasses != dataset.classes.count else { return }
        let names = dataset.classes.prefix(5).joined(separator: ", ") + (dataset.classes.count > 5 ? ", ..." : "")
        throw RunnerError("the model predicts \(model.numClasses) classes (model.roi_head.bbox_head.num_classes"
                          + (model.withMask ? " and mask_head.num_classes" : "") + ") but \(key).dataset has \(dataset.classes.count) "
                          + "(\(names)) from \(dataset.source): set num_classes=\(dataset.classes.count) in the model's heads")
    }

    /// The evaluator of `val_evaluator` / `test_evaluator`.
    public func evaluator(_ key: String) throws -> (any Metric)? {
        try config.optionalView(key).map { try MetricRegistry.metrics.build($0) }
    }

    /// Loads model weights only (`load_from`, the test tool's CHECKPOINT): a `.pth` or
    /// safetensors file with mmdetection's keys, or a checkpoint sidecar `epoch_N.json` (the
    /// weights file it names, checked against its recorded size and hash).
    /// In a job of several processes every process reads the file (all must see it, as in
    /// mmengine), then rank 0's weights are sent to all.
    public func loadWeights(_ path: String) throws {
        var weights = path
        if path.hasSuffix(".json") {
            let sidecar = try CheckpointIO.readSidecar(path)
            let dir = (path as NSString).deletingLastPathComponent
            weights = try CheckpointIO.verify(sidecar.weights, directory: dir.isEmpty ? "." : dir, sidecar: path)
        }
        try ImageInference.load(weights, into: model)
        logger.info("Loaded weights from \(weights)")
        try agreeOnState("the weights of \(weights)")
    }
}

extension Runner {
    /// After every process loaded the same state: rank 0's parameters and buffers sent to all,
    /// and an error when a process had read something else (another file under the same name).
    func agreeOnState(_ what: String) throws {
        guard let parallel else { return }
        let agreed = try parallel.replicasAgree(model)
        try parallel.broadcastState(of: model)
        guard agreed else {
            throw RunnerError("\(what) differ between the processes of the job: every machine must see the same files")
        }
    }
}
