import Foundation
import Kernels

/// The format version written into every sidecar.
public enum EngineFormat {
    public static let checkpointVersion = 1
}

/// A checkpoint that cannot be written, read, or does not fit (names the file and why).
public struct CheckpointError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

/// Where a run stands, saved beside the weights: counters, scheduler and generator states,
/// the merged config text and free-form meta (mmengine's `meta` and `message_hub`).
public struct TrainingProgress: Equatable {
    /// Completed epochs (mmengine saves epoch + 1 after an epoch: epoch_N holds N).
    public var epoch: Int
    /// Completed iterations over the whole run.
    public var iteration: Int
    public var scheduler: LRScheduler?
    /// Named generators (sampler, model sampling, ...) with their exact states.
    public var rng: [String: SeededGenerator]
    /// The merged config as text (pretty-printed Python or JSON).
    public var config: String
    public var meta: [String: String]

    public init(epoch: Int, iteration: Int, scheduler: LRScheduler? = nil, rng: [String: SeededGenerator] = [:],
                config: String = "", meta: [String: String] = [:]) {
        self.epoch = epoch
        self.iteration = iteration
        self.scheduler = scheduler
        self.rng = rng
        self.config = config
        self.meta = meta
    }
}

/// The JSON sidecar `<stem>.json` of a checkpoint: the training progress, the optimizer's
/// hyperparameters, and the name, size and FNV-1a 64 hash of each safetensors file it
/// belongs with (`<stem>.safetensors`, weights with mmdetection keys; `<stem>.optim.safetensors`,
/// momentum buffers keyed by parameter name).
public struct CheckpointSidecar: Codable, Equatable {
    /// One data file the sidecar vouches for.
    public struct FileRecord: Codable, Equatable {
        public var name: String
        public var bytes: Int
        /// FNV-1a 64 of the whole file, as 16 hex digits.
        public var fnv1a64: String
    }

    /// The best checkpoint so far (CheckpointHook's save_best bookkeeping).
    public struct Best: Codable, Equatable {
        public var metric: String
        public var score: Double
        public var stem: String
    }

    public var formatVersion: Int
    public var epoch: Int
    public var iteration: Int
    public var meta: [String: String]
    public var optimizer: OptimizerState?
    public var scheduler: LRScheduler?
    public var rng: [String: SeededGenerator]
    public var config: String
    public var weights: FileRecord
    public var optimizerFile: FileRecord?
    /// Epoch checkpoints kept so far, oldest first (for max_keep_ckpts after a resume).
    public var kept: [String]
    public var best: Best?

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", epoch, iteration, meta, optimizer, scheduler, rng, config
        case weights, optimizerFile = "optimizer_file", kept, best
    }

    /// What no run writes but an edited or damaged sidecar may hold, which resuming would act
    /// on: counters out of range (they index samplers and grow by one per step), a kept name
    /// that is not a plain file stem of the work dir (max_keep_ckpts deletes by it), schedulers
    /// whose step counts or base values cannot be the run's. Nil when none.
    public var problem: String? {
        let maxCount = 1 << 50
        if !(0...Int(Int32.max)).contains(epoch) { return "epoch \(epoch) is not allowed: expected 0 to \(Int32.max)" }
        if !(0...maxCount).contains(iteration) { return "iteration \(iteration) is not allowed: expected 0 to 2^50" }
        let stemCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        for stem in kept + [best?.stem].compactMap({ $0 }) where stem.isEmpty || stem.hasPrefix(".") || !stem.allSatisfy(stemCharacters.contains) {
            return "kept checkpoint '\(stem)' is not a file stem of the work dir (letters, digits, '_', '-', '.'; no '/')"
        }
        if let scheduler {
            if let optimizer, scheduler.baseValues.count != optimizer.groups.count {
                return "the scheduler has \(scheduler.baseValues.count) base values for \(optimizer.groups.count) parameter groups"
            }
            if !scheduler.baseValues.allSatisfy(\.isFinite) { return "scheduler base values \(scheduler.baseValues) are not finite" }
            for s in scheduler.schedulers where !(-1...maxCount).contains(s.globalStep) || !(-1...maxCount).contains(s.lastStep) {
                return "a scheduler's step counts (\(s.globalStep), \(s.lastStep)) are not allowed: expected -1 to 2^50"
            }
        }
        return nil
    }

    /// The progress part.
    public var progress: TrainingProgress {
        TrainingProgress(epoch: epoch, iteration: iteration, scheduler: scheduler, rng: rng, config: config, meta: meta)
    }
}

/// FNV-1a, 64-bit: a fast content hash to tell a torn or swapped file from the one written.
public enum FNV1a64 {
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    public static func hash(_ data: Data) -> UInt64 { data.withUnsafeBytes { hash($0) } }

    /// 16 lowercase hex digits.
    public static func hex(_ h: UInt64) -> String {
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
