import Autograd
import Foundation
import Kernels
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

extension ResNet {
    /// mmdetection's ResNet init without a checkpoint: Kaiming-normal (fan_out, relu) on every
    /// conv (ConvWS included), zero conv biases, norms γ=1 β=0, and with zero_init_residual the
    /// last norm of every block γ=β=0. With a `Pretrained` init_cfg the local safetensors file is
    /// loaded instead (keys as mmdetection's, with or without a `backbone.` prefix; the rest of
    /// the checkpoint is ignored; keys it lacks keep the default init), and it is an error when no backbone key matches.
    public func initWeights(using rng: inout SeededGenerator) throws {
        for (_, m) in namedModules() {
            if let conv = m as? Conv2d {
                Init.kaiming(conv.weight, mode: .fanOut, nonlinearity: "relu", using: &rng)
                if let b = conv.bias { Init.fill(b, 0) }
            } else if m is NN.BatchNorm2d || m is NN.GroupNorm, let norm = m as? any NormLayer {
                norm.resetAffine(gamma: 1)
            }
        }
        if options.zeroInitResidual {
            for norm in residualNorms { norm.resetAffine(gamma: 0) }
        }
        if let (checkpoint, prefix) = options.pretrained { try loadPretrained(checkpoint, prefix: prefix) }
    }

    private func loadPretrained(_ checkpoint: String, prefix: String?) throws {
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
