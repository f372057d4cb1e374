import Config
import Kernels

/// The `param_scheduler` list acting on the optimizer's learning rates, stepped in
/// mmengine's ParamSchedulerHook order: iteration-based schedulers after every training
/// iteration, epoch-based ones after every training epoch. Codable: it is the scheduler
/// state a checkpoint keeps (mmengine saves each scheduler's counters and base values).
public struct LRScheduler: Codable, Equatable {
    public private(set) var schedulers: [ParamScheduler]
    /// Each group's lr when the schedulers were built (mmengine's `initial_lr`).
    public let baseValues: [Double]

    /// Builds the list over `values` (the groups' current lrs, after auto_scale_lr) and
    /// performs each scheduler's construction step in order, as mmengine's constructors do.
    public init(_ schedulers: [ParamScheduler], values: inout [Double]) {
        baseValues = values
        self.schedulers = schedulers
        for i in self.schedulers.indices { self.schedulers[i].step(&values, bases: baseValues) }
    }

    /// From the config's `param_scheduler` (one dict or a list of dicts); see
    /// `ParamScheduler.init(config:epochLength:maxEpochs:)`.
    public init(config root: ConfigView, key: String = "param_scheduler", epochLength: Int, maxEpochs: Int?,
                values: inout [Double]) throws {
        let views: [ConfigView]
        switch root.value(key) {
        case nil, .none?: views = []
        case .dict?: views = [try root.view(key)]
        default: views = try root.views(key)
        }
        let built = try views.map { try ParamScheduler(config: $0, epochLength: epochLength, maxEpochs: maxEpochs) }
        self.init(built, values: &values)
    }

    /// ParamSchedulerHook.after_train_iter: steps the iteration-based schedulers.
    public mutating func afterTrainIter(_ values: inout [Double]) {
        for i in schedulers.indices where !schedulers[i].byEpoch { schedulers[i].step(&values, bases: baseValues) }
    }

    /// ParamSchedulerHook.after_train_epoch: steps the epoch-based schedulers.
    public mutating func afterTrainEpoch(_ values: inout [Double]) {
        for i in schedulers.indices where schedulers[i].byEpoch { schedulers[i].step(&values, bases: baseValues) }
    }
}

/// The learning rate used at each training iteration of a whole schedule, for one group
/// starting at `baseLR`: the stateful `LRScheduler` run from scratch through the epoch loop.
/// Querying iteration i costs O(i); `table` gives a whole run at once.
public struct LRSchedule {
    public let start: LRScheduler
    public let startLR: Double
    public let epochLength: Int

    /// `baseLR` is the optimizer's lr after auto_scale_lr.
    public init(config root: ConfigView, key: String = "param_scheduler", epochLength: Int, maxEpochs: Int?,
                baseLR: Double) throws {
        var values = [baseLR]
        start = try LRScheduler(config: root, key: key, epochLength: epochLength, maxEpochs: maxEpochs, values: &values)
        startLR = values[0]
        self.epochLength = epochLength
    }

    /// The lr of the first `count` iterations (index = global iteration).
    public func table(_ count: Int) -> [Double] {
        var scheduler = start
        var values = [startLR]
        var out: [Double] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            out.append(values[0])
            scheduler.afterTrainIter(&values)
            if (i + 1) % epochLength == 0 { scheduler.afterTrainEpoch(&values) }
        }
        return out
    }

    /// The lr used at global iteration `iteration` (0-based).
    public func lr(iteration: Int) -> Double { table(iteration + 1)[iteration] }

    /// The lr used at iteration `iterationInEpoch` of epoch `epoch` (both 0-based).
    public func lr(epoch: Int, iterationInEpoch: Int) -> Double {
        checkInvariant(iterationInEpoch < epochLength, "LRSchedule: iteration \(iterationInEpoch) beyond an epoch of \(epochLength)")
        return lr(iteration: epoch * epochLength + iterationInEpoch)
    }
}

/// mmengine's `auto_scale_lr`: with `enable` (train.py's --auto-scale-lr sets it), every lr
/// is multiplied by real batch size / base_batch_size before the schedulers are built.
public struct AutoScaleLR: Equatable {
    public var enable: Bool
    public var baseBatchSize: Int

    public init(enable: Bool, baseBatchSize: Int) {
        self.enable = enable
        self.baseBatchSize = baseBatchSize
    }

    /// From `auto_scale_lr` (dict(enable=False, base_batch_size=16)).
    public init(config c: ConfigView) throws {
        try c.accept(["enable", "base_batch_size"])
        enable = try c.bool("enable", default: false)
        baseBatchSize = try enable ? c.int("base_batch_size") : c.int("base_batch_size", default: 16)
        guard baseBatchSize > 0 else { throw c.error("base_batch_size", "must be positive, got \(baseBatchSize)") }
    }

    /// The factor for a run whose total batch is `realBatchSize` (GPUs x batch per GPU in
    /// mmengine; SwiftDet runs one process), or nil when disabled.
    public func ratio(realBatchSize: Int) -> Double? {
        enable ? Double(realBatchSize) / Double(baseBatchSize) : nil
    }

    /// Scales `optimizer`'s learning rates when enabled; returns the factor applied.
    @discardableResult
    public func apply(to optimizer: OptimWrapper, realBatchSize: Int) -> Double? {
        guard let r = ratio(realBatchSize: realBatchSize) else { return nil }
        optimizer.scaleLR(by: r)
        return r
    }
}
