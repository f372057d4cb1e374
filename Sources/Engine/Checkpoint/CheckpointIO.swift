import Autograd
import Foundation
import NN
import Structures

/// Writes and reads one checkpoint: `<stem>.safetensors` or `<stem>.pth` (the model's state
/// dict, mmdetection keys, so `detect CONFIG epoch_N.safetensors` and strict loading work; a
/// `.pth` is a torch.save zip `{'meta', 'state_dict'}` that mmdetection loads), optionally
/// `<stem>.optim.safetensors` (SGD momentum buffers by parameter name), then the sidecar
/// `<stem>.json` naming both with sizes and hashes. Each file is written atomically and the
/// sidecar last, so a save cut short leaves no sidecar that vouches for a partial file.
public enum CheckpointIO {
    /// Called after each file is written with its path; a throw aborts the save there
    /// (tests use it to stand in for a process killed mid-save).
    public typealias FileHook = (String) throws -> Void

    /// The weights file format (`default_hooks.checkpoint.save_format`, a SwiftDet key).
    public enum WeightsFormat: String, Sendable { case safetensors, pth }

    public static func weightsName(_ stem: String, _ format: WeightsFormat = .safetensors) -> String { stem + "." + format.rawValue }
    public static func optimizerName(_ stem: String) -> String { stem + ".optim.safetensors" }
    public static func sidecarName(_ stem: String) -> String { stem + ".json" }

    /// Saves `model` (and `optimizer`'s state when given) under `directory/stem.*` and returns
    /// the sidecar written.
    @discardableResult
    public static func save(
        model: any Module, optimizer: OptimWrapper?, progress: TrainingProgress, directory: String, stem: String,
        kept: [String] = [], best: CheckpointSidecar.Best? = nil, format: WeightsFormat = .safetensors,
        afterEachFile: FileHook? = nil
    ) throws -> CheckpointSidecar {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let entries = model.stateDict()
        let weightsData: Data
        switch format {
        case .safetensors:
            weightsData = try SafetensorsFile.encode(entries.map {
                SafetensorsFile.Item(name: $0.key, tensor: $0.tensor, dtype: $0.isInteger ? .i64 : .f32)
            })
        case .pth:
            var meta = progress.meta
            meta["epoch"] = String(progress.epoch)
            meta["iter"] = String(progress.iteration)
            if !progress.config.isEmpty { meta["cfg"] = progress.config }
            weightsData = try PthWriter.encode(entries.map { PthWriter.Item(name: $0.key, tensor: $0.tensor, isInteger: $0.isInteger) },
                                               meta: meta)
        }
        let weights = try write(weightsData, directory: directory, name: weightsName(stem, format), hook: afterEachFile)
        var optimizerState: OptimizerState?
        var optimizerFile: CheckpointSidecar.FileRecord?
        if let optimizer {
            let (state, momentum) = optimizer.stateForCheckpoint()
            optimizerState = state
            let items = momentum.map { SafetensorsFile.Item(name: $0.0, tensor: $0.1) }
            optimizerFile = try write(try SafetensorsFile.encode(items), directory: directory, name: optimizerName(stem), hook: afterEachFile)
        }
        let sidecar = CheckpointSidecar(
            formatVersion: EngineFormat.checkpointVersion, epoch: progress.epoch, iteration: progress.iteration,
            meta: progress.meta, optimizer: optimizerState, scheduler: progress.scheduler, rng: progress.rng,
            config: progress.config, weights: weights, optimizerFile: optimizerFile, kept: kept, best: best)
        let path = directory + "/" + sidecarName(stem)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try atomicWrite(try encoder.encode(sidecar), to: path)
        try afterEachFile?(path)
        return sidecar
    }

    /// Reads a sidecar, checking its format version.
    public static func readSidecar(_ path: String) throws -> CheckpointSidecar {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CheckpointError(path: path, reason: "checkpoint sidecar not found")
        }
        let sidecar: CheckpointSidecar
        do {
            sidecar = try JSONDecoder().decode(CheckpointSidecar.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw CheckpointError(path: path, reason: "unreadable checkpoint sidecar: \(error)")
        }
        guard sidecar.formatVersion == EngineFormat.checkpointVersion else {
            throw CheckpointError(path: path, reason: "checkpoint format version \(sidecar.formatVersion), this build reads \(EngineFormat.checkpointVersion)")
        }
        if let problem = sidecar.problem { throw CheckpointError(path: path, reason: "checkpoint sidecar: \(problem)") }
        return sidecar
    }

    /// Loads the checkpoint whose sidecar is at `sidecarPath`: verifies both data files
    /// against the sidecar (size and hash) before touching anything, restores the optimizer
    /// (when given) and then the model (strict). Returns the sidecar (progress, scheduler, rng).
    @discardableResult
    public static func load(sidecarPath: String, model: any Module, optimizer: OptimWrapper?) throws -> CheckpointSidecar {
        let sidecar = try readSidecar(sidecarPath)
        let directory = (sidecarPath as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        let weightsPath = try verify(sidecar.weights, directory: dir, sidecar: sidecarPath)
        let optimizerPath = try sidecar.optimizerFile.map { try verify($0, directory: dir, sidecar: sidecarPath) }
        if let optimizer {
            guard let state = sidecar.optimizer, let optimizerPath else {
                throw CheckpointError(path: sidecarPath, reason: "checkpoint has no optimizer state (a best or weights-only checkpoint cannot be resumed from)")
            }
            let file = try SafetensorsFile(path: optimizerPath)
            var momentum: [String: Tensor] = [:]
            for name in file.names { momentum[name] = try file.tensor(name) }
            try optimizer.load(state, momentum: momentum, source: optimizerPath)
        }
        try model.loadStateDict(path: weightsPath, strict: true)
        return sidecar
    }

    /// The path of `record` in `directory` after checking that it exists with the recorded
    /// size and hash.
    public static func verify(_ record: CheckpointSidecar.FileRecord, directory: String, sidecar: String) throws -> String {
        let path = directory + "/" + record.name
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw CheckpointError(path: path, reason: "missing or unreadable (named by \(sidecar))")
        }
        guard data.count == record.bytes else {
            throw CheckpointError(path: path, reason: "has \(data.count) bytes, the sidecar \(sidecar) recorded \(record.bytes) (truncated or replaced)")
        }
        let hash = FNV1a64.hex(FNV1a64.hash(data))
        guard hash == record.fnv1a64 else {
            throw CheckpointError(path: path, reason: "content hash \(hash) differs from \(record.fnv1a64) recorded in \(sidecar) (corrupted or replaced)")
        }
        return path
    }

    /// Writes `data` atomically and records name, size and hash.
    private static func write(_ data: Data, directory: String, name: String,
                              hook: FileHook?) throws -> CheckpointSidecar.FileRecord {
        let path = directory + "/" + name
        try atomicWrite(data, to: path)
        try hook?(path)
        return CheckpointSidecar.FileRecord(name: name, bytes: data.count, fnv1a64: FNV1a64.hex(FNV1a64.hash(data)))
    }

    /// AtomicFile.write with its failure as a CheckpointError.
    static func atomicWrite(_ data: Data, to path: String) throws {
        do { try AtomicFile.write(data, to: path) } catch let f as AtomicFile.Failure {
            throw CheckpointError(path: path, reason: f.reason)
        }
    }
}
