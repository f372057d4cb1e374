import Autograd
import Foundation
import Structures

/// One entry of a state dict: a parameter or a persistent buffer with its dotted key.
public struct StateEntry {
    public let key: String
    public let tensor: Tensor
    public let isParameter: Bool
    public let isInteger: Bool
}

/// What loading a checkpoint found: keys the model has but the file lacks, keys the file has
/// but the model lacks, and keys whose shapes differ (as PyTorch's load_state_dict reports).
public struct LoadReport: Equatable, CustomStringConvertible {
    public var missing: [String] = []
    public var unexpected: [String] = []
    public var shapeMismatches: [String] = []
    public var isClean: Bool { missing.isEmpty && unexpected.isEmpty && shapeMismatches.isEmpty }
    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing keys: \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { parts.append("unexpected keys: \(unexpected.joined(separator: ", "))") }
        if !shapeMismatches.isEmpty { parts.append("shape mismatches: \(shapeMismatches.joined(separator: "; "))") }
        return parts.isEmpty ? "all keys matched" : parts.joined(separator: "\n")
    }
}

/// A checkpoint that does not fit the model (strict loading), or an unreadable file.
public struct StateDictError: Error, CustomStringConvertible {
    public let path: String
    public let report: LoadReport?
    public let reason: String
    public var description: String {
        "\(path): \(reason)" + (report.map { "\n" + $0.description } ?? "")
    }
}

extension Module {
    /// The state dict in PyTorch order: own parameters, own buffers, then children.
    public func stateDict(prefix: String = "") -> [StateEntry] {
        var out = parameters.map { StateEntry(key: prefix + $0.0, tensor: $0.1, isParameter: true, isInteger: false) }
        out += buffers.map { StateEntry(key: prefix + $0.name, tensor: $0.tensor, isParameter: false, isInteger: $0.isInteger) }
        for (name, child) in children { out += child.stateDict(prefix: prefix + name + ".") }
        return out
    }

    /// Writes the state dict (float32 tensors, int64 integer buffers) as safetensors, or as a
    /// PyTorch zip checkpoint when `path` ends in `.pth`/`.pt`, atomically (Structures'
    /// AtomicFile: temporary file, fsync, rename).
    public func saveStateDict(to path: String, metadata: [String: String] = [:]) throws {
        let data: Data
        if path.hasSuffix(".pth") || path.hasSuffix(".pt") {
            // A torch.save zip {'meta': metadata, 'state_dict': ...} that torch and mmengine load.
            data = try PthWriter.encode(stateDict().map { PthWriter.Item(name: $0.key, tensor: $0.tensor, isInteger: $0.isInteger) },
                                        meta: metadata)
        } else {
            let entries = stateDict().map { SafetensorsFile.Item(name: $0.key, tensor: $0.tensor, dtype: $0.isInteger ? .i64 : .f32) }
            data = try SafetensorsFile.encode(entries, metadata: metadata)
        }
        do { try AtomicFile.write(data, to: path) } catch let f as AtomicFile.Failure {
            throw StateDictError(path: path, report: nil, reason: f.reason)
        }
    }

    /// Copies tensors from `file` (safetensors or `.pth`) into the model by key, with mmengine's
    /// rules: with `prefix`, the file's key for a model key k is prefix + k and only the file's
    /// keys under `prefix` are considered (a sub-module from a whole-detector checkpoint: prefix
    /// "backbone."); without one, a leading `module.` (DataParallel) is stripped. A missing
    /// `num_batches_tracked` is not reported (old torchvision and converted files lack it).
    /// Returns what did not match; with `strict`, any missing or unexpected key or shape
    /// mismatch throws and nothing is copied.
    @discardableResult
    public func loadStateDict(from file: any TensorArchive, prefix: String = "", strict: Bool = true) throws -> LoadReport {
        let entries = stateDict(prefix: prefix)
        var report = LoadReport()
        let fileNames = file.names.filter { $0.hasPrefix(prefix) }
        // The model key each file key stands for.
        var byModelKey: [String: String] = [:]
        for name in fileNames {
            let key = prefix.isEmpty && name.hasPrefix("module.") ? String(name.dropFirst("module.".count)) : name
            if byModelKey[key] == nil { byModelKey[key] = name }
        }
        var plan: [(StateEntry, Tensor)] = []
        for e in entries {
            guard let name = byModelKey[e.key] else {
                if !e.key.hasSuffix("num_batches_tracked") { report.missing.append(e.key) }
                continue
            }
            let t = e.isInteger ? try file.indicesAsTensor(name) : try file.tensor(name)
            guard t.shape == e.tensor.shape else {
                report.shapeMismatches.append("\(e.key): checkpoint \(t.shape), model \(e.tensor.shape)")
                continue
            }
            plan.append((e, t))
        }
        let known = Set(entries.map(\.key))
        report.unexpected = byModelKey.filter { !known.contains($0.key) }.map(\.value).sorted()
        if strict && !report.isClean {
            throw StateDictError(path: file.path, report: report, reason: "checkpoint does not match the model")
        }
        for (e, t) in plan {
            t.withUnsafeBufferPointer { src in e.tensor.update { dst in _ = dst.update(fromContentsOf: src) } }
        }
        return report
    }

    /// Loads a safetensors or `.pth` checkpoint from `path` (see `loadStateDict(from:prefix:strict:)`).
    @discardableResult
    public func loadStateDict(path: String, prefix: String = "", strict: Bool = true) throws -> LoadReport {
        try loadStateDict(from: TensorArchives.open(path), prefix: prefix, strict: strict)
    }
}
