import Config
import Foundation
import NN
import Kernels

/// mmengine's CheckpointHook and resume for SwiftDet's checkpoint files: `epoch_N.*` every
/// `interval` epochs (and after the last), at most `maxKeepCkpts` of them (oldest deleted
/// first), `best_<metric>_epoch_N.*` when `saveBest` improves (weights only, as mmengine
/// saves best checkpoints without optimizer and scheduler), and the `last_checkpoint` pointer
/// (a text file naming the newest sidecar) that `resume(.auto)` follows.
public final class CheckpointManager {
    /// How a metric improves.
    public enum Rule: String, Equatable { case greater, less }

    /// Where to resume from: the work dir's `last_checkpoint`, or a given sidecar/weights path.
    public enum ResumeSource: Equatable {
        case auto
        case path(String)
    }

    /// mmengine's pointer file name in the work dir.
    public static let latestPointer = "last_checkpoint"

    public let workDir: String
    public let interval: Int
    /// -1 (or 0) keeps every epoch checkpoint.
    public let maxKeepCkpts: Int
    /// A metric key (`coco/bbox_mAP`) or "auto" (the first metric of the first evaluation).
    public let saveBest: String?
    /// nil: inferred from the metric key as mmengine does (see `inferRule`).
    public let rule: Rule?
    public let saveLast: Bool
    /// `save_format` (a SwiftDet key): the weights as safetensors (default) or `.pth`.
    public let format: CheckpointIO.WeightsFormat
    /// Epoch checkpoint stems kept, oldest first.
    public private(set) var kept: [String] = []
    public private(set) var best: CheckpointSidecar.Best?
    /// Test hook: called after each file of a save is written (see `CheckpointIO.FileHook`).
    public var afterEachFile: CheckpointIO.FileHook?

    public init(workDir: String, interval: Int = 1, maxKeepCkpts: Int = -1, saveBest: String? = nil,
                rule: Rule? = nil, saveLast: Bool = true, format: CheckpointIO.WeightsFormat = .safetensors) {
        checkInvariant(interval > 0, "CheckpointManager: interval must be positive")
        self.workDir = workDir
        self.interval = interval
        self.maxKeepCkpts = maxKeepCkpts
        self.saveBest = saveBest
        self.rule = rule
        self.saveLast = saveLast
        self.format = format
    }

    /// From `default_hooks.checkpoint` (type CheckpointHook, interval, max_keep_ckpts,
    /// save_best, rule, save_last; by_epoch must be True) and SwiftDet's `save_format`
    /// ('safetensors' or 'pth').
    public convenience init(config c: ConfigView, workDir: String) throws {
        try c.accept(["type", "interval", "by_epoch", "max_keep_ckpts", "save_best", "rule", "save_last", "save_format"])
        let formatName = try c.string("save_format", default: "safetensors")
        guard let format = CheckpointIO.WeightsFormat(rawValue: formatName) else {
            throw c.error("save_format", "expected 'safetensors' or 'pth', got '\(formatName)'")
        }
        let type = try c.string("type", default: "CheckpointHook")
        guard type == "CheckpointHook" else { throw c.error("type", "expected CheckpointHook, got '\(type)'") }
        guard try c.bool("by_epoch", default: true) else {
            throw c.error("by_epoch", "only epoch-based checkpoints are supported")
        }
        let interval = try c.int("interval", default: -1)
        guard interval > 0 else { throw c.error("interval", "must be a positive number of epochs, got \(interval)") }
        let saveBest = try c.optionalString("save_best")
        var rule: Rule?
        if let r = try c.optionalString("rule") {
            guard let parsed = Rule(rawValue: r) else { throw c.error("rule", "expected 'greater' or 'less', got '\(r)'") }
            rule = parsed
        } else if let key = saveBest, key != "auto", Self.inferRule(key) == nil {
            throw c.error("rule", "cannot infer whether '\(key)' should be greater or less; set rule")
        }
        self.init(workDir: workDir, interval: interval, maxKeepCkpts: try c.int("max_keep_ckpts", default: -1),
                  saveBest: saveBest, rule: rule, saveLast: try c.bool("save_last", default: true), format: format)
    }

    /// Whether to save after `epoch` completed epochs of `maxEpochs`.
    public func shouldSave(epoch: Int, maxEpochs: Int) -> Bool {
        epoch % interval == 0 || (saveLast && epoch == maxEpochs)
    }

    /// Saves `epoch_<progress.epoch>.*`, points `last_checkpoint` at it, then deletes the
    /// oldest epoch checkpoints beyond `maxKeepCkpts`. Returns the sidecar path.
    @discardableResult
    public func save(model: any Module, optimizer: OptimWrapper, progress: TrainingProgress) throws -> String {
        let stem = "epoch_\(progress.epoch)"
        var newKept = kept.filter { $0 != stem }
        newKept.append(stem)
        var dropped: [String] = []
        if maxKeepCkpts > 0 {
            while newKept.count > maxKeepCkpts { dropped.append(newKept.removeFirst()) }
        }
        try CheckpointIO.save(model: model, optimizer: optimizer, progress: progress, directory: workDir, stem: stem,
                              kept: newKept, best: best, format: format, afterEachFile: afterEachFile)
        let sidecar = CheckpointIO.sidecarName(stem)
        try CheckpointIO.atomicWrite(Data((sidecar + "\n").utf8), to: workDir + "/" + Self.latestPointer)
        try afterEachFile?(workDir + "/" + Self.latestPointer)
        kept = newKept
        for old in dropped { removeFiles(stem: old) }
        return workDir + "/" + sidecar
    }

    /// After an evaluation: when `metrics` (ordered name/value pairs) improve the tracked
    /// metric, writes `best_<metric with / as _>_epoch_N.*` and deletes the previous best.
    /// Returns whether a new best was saved.
    @discardableResult
    public func saveBestIfImproved(metrics: [(String, Double)], model: any Module, progress: TrainingProgress) throws -> Bool {
        guard let saveBest else { return false }
        let key = saveBest == "auto" ? (best?.metric ?? metrics.first?.0) : saveBest
        guard let key, let score = metrics.first(where: { $0.0 == key })?.1 else { return false }
        let rule = self.rule ?? Self.inferRule(key) ?? .greater
        if let best, !(rule == .greater ? score > best.score : score < best.score) { return false }
        let prefix = "best_" + key.replacingOccurrences(of: "/", with: "_") + "_epoch_"
        let stem = prefix + "\(progress.epoch)"
        let record = CheckpointSidecar.Best(metric: key, score: score, stem: stem)
        try CheckpointIO.save(model: model, optimizer: nil, progress: progress, directory: workDir, stem: stem,
                              kept: kept, best: record, format: format, afterEachFile: afterEachFile)
        best = record
        // Exactly one best per metric: remove earlier ones (also any left by an interrupted run).
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workDir)) ?? []
        let oldStems = Set(names.filter { $0.hasPrefix(prefix) }.map { Self.stem(of: $0) }).subtracting([stem])
        for old in oldStems { removeFiles(stem: old) }
        return true
    }

    /// Resumes `model` and `optimizer`: `.auto` follows `last_checkpoint` in the work dir and
    /// returns nil (after logging) when there is none, so training starts fresh, as mmengine
    /// does; `.path` takes a sidecar (`epoch_N.json`) or its weights file (`epoch_N.safetensors`
    /// or `epoch_N.pth`).
    /// Restores the kept list and best record; returns the sidecar (progress, scheduler, rng).
    public func resume(from source: ResumeSource, model: any Module, optimizer: OptimWrapper,
                       log: (String) -> Void = { print($0) }) throws -> CheckpointSidecar? {
        let path: String
        switch source {
        case .auto:
            guard let latest = latestPath() else {
                log("No checkpoint found in \(workDir) (no \(Self.latestPointer)); training starts from scratch.")
                return nil
            }
            path = latest
        case .path(let p):
            path = p.hasSuffix(".json") ? p : Self.stemPath(of: p) + ".json"
        }
        let sidecar = try CheckpointIO.load(sidecarPath: path, model: model, optimizer: optimizer)
        kept = sidecar.kept
        best = sidecar.best
        log("Resumed from \(path): epoch \(sidecar.epoch), iteration \(sidecar.iteration).")
        return sidecar
    }

    /// The checkpoint the work dir's `last_checkpoint` names, or nil when there is none.
    public func latestPath() -> String? {
        guard let text = try? String(contentsOfFile: workDir + "/" + Self.latestPointer, encoding: .utf8) else { return nil }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.hasPrefix("/") ? name : workDir + "/" + name
    }

    /// mmengine's default rule for a metric key: greater for accuracy-like keys (acc, top,
    /// AR@, auc, precision, mAP, mDice, mIoU, mAcc, aAcc), less for loss; nil otherwise.
    public static func inferRule(_ key: String) -> Rule? {
        let greater = ["acc", "top", "AR@", "auc", "precision", "mAP", "mDice", "mIoU", "mAcc", "aAcc"]
        if greater.contains(where: { key.contains($0) }) { return .greater }
        return key.contains("loss") ? .less : nil
    }

    /// Deletes the files of checkpoint `stem` (sidecar first, so no sidecar outlives its data).
    private func removeFiles(stem: String) {
        for name in [CheckpointIO.sidecarName(stem), CheckpointIO.weightsName(stem), CheckpointIO.weightsName(stem, .pth),
                     CheckpointIO.optimizerName(stem)] {
            try? FileManager.default.removeItem(atPath: workDir + "/" + name)
        }
    }

    /// `epoch_3.optim.safetensors` -> `epoch_3`.
    static func stem(of fileName: String) -> String {
        for suffix in [".optim.safetensors", ".safetensors", ".pth", ".json"] where fileName.hasSuffix(suffix) {
            return String(fileName.dropLast(suffix.count))
        }
        return fileName
    }

    /// A path without its checkpoint suffix.
    static func stemPath(of path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        let s = stem(of: (path as NSString).lastPathComponent)
        return dir.isEmpty ? s : dir + "/" + s
    }
}
