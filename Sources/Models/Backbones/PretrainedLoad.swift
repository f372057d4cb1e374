import Autograd
import Config
import Foundation
import NN

/// A `Pretrained` init_cfg that cannot be honoured (a URL, a missing or non-matching file).
public struct PretrainedError: Error, CustomStringConvertible {
    public let checkpoint: String
    public let reason: String
    public var description: String {
        "backbone init_cfg Pretrained checkpoint '\(checkpoint)': \(reason). SwiftDet loads local .pth and "
            + "safetensors files; to train from scratch set model.backbone.init_cfg=None "
            + "(--cfg-options model.backbone.init_cfg=None)"
    }
}

extension Module {
    /// Loads a backbone's `Pretrained` init_cfg: the file (a path, or a known URL-scheme name
    /// found locally), keys as the backbone's with or without a `backbone.` prefix (or under
    /// mmengine's `prefix`); the file's other keys are ignored with a note, keys it lacks keep
    /// their default init with a warning; no matching key or a shape mismatch is an error.
    func loadPretrained(_ checkpoint: String, prefix: String?) throws {
        let path: String
        do { path = try PretrainedWeights.locate(checkpoint) } catch {
            throw PretrainedError(checkpoint: checkpoint, reason: "\(error)")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw PretrainedError(checkpoint: checkpoint, reason: "no such file")
        }
        let file: any TensorArchive
        do { file = try TensorArchives.open(path) } catch {
            throw PretrainedError(checkpoint: checkpoint, reason: "not a readable checkpoint (\(error))")
        }
        // mmengine's `prefix` selects `prefix.`-keys; otherwise accept a whole-detector file.
        var keyPrefix = prefix.map { $0.hasSuffix(".") ? $0 : $0 + "." } ?? ""
        if prefix == nil && file.names.contains(where: { $0.hasPrefix("backbone.") }) { keyPrefix = "backbone." }
        let report = try loadStateDict(from: file, prefix: keyPrefix, strict: false)
        let total = stateDict().count
        if report.missing.count == total {
            throw PretrainedError(checkpoint: checkpoint, reason: "none of the backbone's \(total) keys is in the file"
                                  + (keyPrefix.isEmpty ? "" : " under prefix '\(keyPrefix)'"))
        }
        if !report.shapeMismatches.isEmpty {
            throw PretrainedError(checkpoint: checkpoint, reason: "shape mismatches: " + report.shapeMismatches.prefix(5).joined(separator: "; "))
        }
        if !report.unexpected.isEmpty {
            FileHandle.standardError.write(Data("note: backbone init from \(checkpoint): \(report.unexpected.count) keys of the file are not the backbone's (ignored): \(report.unexpected.prefix(5).joined(separator: ", "))\n".utf8))
        }
        if !report.missing.isEmpty {
            FileHandle.standardError.write(Data("warning: backbone init from \(checkpoint): \(report.missing.count) keys missing (kept their default init): \(report.missing.prefix(5).joined(separator: ", "))\n".utf8))
        }
    }
}

/// A backbone's checkpoint from its config: `pretrained='file'` (mmdetection's deprecated key)
/// or `init_cfg=dict(type='Pretrained', checkpoint=..., prefix=...)`; nil when neither.
func pretrainedSource(_ c: ConfigView, owner: String) throws -> (checkpoint: String, prefix: String?)? {
    var out: (checkpoint: String, prefix: String?)? = nil
    if let pretrained = try c.optionalString("pretrained") { out = (pretrained, nil) }
    if let initCfg = try c.optionalView("init_cfg") {
        guard out == nil else {
            throw c.error("pretrained", "init_cfg and pretrained cannot be given together (mmdetection's rule): keep init_cfg")
        }
        let kind = try initCfg.string("type")
        guard kind == "Pretrained" else {
            throw initCfg.error("type", "\(owner) init_cfg: expected None or dict(type='Pretrained', checkpoint=...), got '\(kind)'")
        }
        try initCfg.accept(["type", "checkpoint", "prefix", "map_location"])
        out = (try initCfg.string("checkpoint"), try initCfg.optionalString("prefix"))
    }
    return out
}
