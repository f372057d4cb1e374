import Autograd
import Config
import Engine
import Foundation
import Kernels
import NN
import Testing

/// A fresh empty directory under the temporary directory.
func scratchDirectory(_ name: String) throws -> String {
    let dir = NSTemporaryDirectory() + "swiftdet-ckpt-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func files(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
}

/// A model, its optimizer and scheduler after `steps` SGD steps on fake gradients.
struct Run {
    let net: TestNet
    let optim: OptimWrapper
    var scheduler: LRScheduler
    var rng: SeededGenerator

    init(seed: UInt64, steps: Int) throws {
        net = try TestNet(seed: seed)
        let cfg = try ConfigLoader(environment: [:]).load(text: """
            optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001))
            param_scheduler = [dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=5),
                               dict(type='MultiStepLR', milestones=[1], by_epoch=True)]
            """, file: "run.py")
        optim = try OptimWrapper(config: try cfg.view("optim_wrapper"), model: net)
        scheduler = try LRScheduler(config: cfg, epochLength: 3, maxEpochs: 2, values: &optim.learningRates)
        rng = SeededGenerator(seed: seed &+ 100)
        for i in 0..<steps {
            net.fakeGradients(&rng)
            optim.step()
            scheduler.afterTrainIter(&optim.learningRates)
            if (i + 1) % 3 == 0 { scheduler.afterTrainEpoch(&optim.learningRates) }
        }
    }

    var progress: TrainingProgress {
        TrainingProgress(epoch: 1, iteration: 4, scheduler: scheduler, rng: ["sampler": rng],
                         config: "optim_wrapper = dict(...)\n", meta: ["seed": "7"])
    }
}

func stateScalars(_ m: any Module) -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: m.stateDict().map { ($0.key, $0.tensor.scalars) })
}

@Suite struct CheckpointTests {
    @Test func roundTripIsBitExact() throws {
        let dir = try scratchDirectory("roundtrip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try Run(seed: 1, steps: 4)
        let manager = CheckpointManager(workDir: dir)
        try manager.save(model: a.net, optimizer: a.optim, progress: a.progress)
        #expect(files(dir) == ["epoch_1.json", "epoch_1.optim.safetensors", "epoch_1.safetensors", "last_checkpoint"])

        let b = try Run(seed: 2, steps: 1)  // different weights, momentum and lr
        var log: [String] = []
        let sidecar = try #require(try CheckpointManager(workDir: dir).resume(from: .auto, model: b.net, optimizer: b.optim) { log.append($0) })
        #expect(stateScalars(b.net) == stateScalars(a.net))
        #expect(b.net.bn.numBatchesTracked.scalars == [1])  // int64 buffer (seed 1 % 7)
        let (sa, ma) = a.optim.stateForCheckpoint(), (sb, mb) = b.optim.stateForCheckpoint()
        #expect(sa == sb && sb.groups[0].lr == a.optim.currentLR)
        #expect(ma.map(\.0) == mb.map(\.0) && ma.count == a.net.namedParameters().filter { $0.1.requiresGrad }.count)
        #expect(zip(ma, mb).allSatisfy { $0.1.scalars == $1.1.scalars })
        #expect(sidecar.progress == a.progress)
        #expect(sidecar.scheduler == a.scheduler && sidecar.rng["sampler"] == a.rng)
        #expect(log.count == 1 && log[0].contains("epoch 1, iteration 4"))
        // The weights file alone is a plain state dict with mmdetection keys (strict loading).
        let c = try TestNet(seed: 3)
        try c.loadStateDict(path: dir + "/epoch_1.safetensors", strict: true)
        #expect(stateScalars(c) == stateScalars(a.net))
        // Resuming by the weights file's path finds its sidecar.
        let d = try Run(seed: 4, steps: 0)
        #expect(try CheckpointManager(workDir: dir).resume(from: .path(dir + "/epoch_1.safetensors"), model: d.net, optimizer: d.optim) { _ in }?.epoch == 1)
    }

    @Test func maxKeepCkptsDeletesOldestAndLeavesNoTemporaries() throws {
        let dir = try scratchDirectory("keep")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try Run(seed: 1, steps: 1)
        let manager = CheckpointManager(workDir: dir, interval: 1, maxKeepCkpts: 2, saveBest: "coco/bbox_mAP")
        var progress = a.progress
        for (epoch, mAP) in [(1, 0.3), (2, 0.2), (3, 0.4), (4, 0.35)] {
            progress.epoch = epoch
            try manager.save(model: a.net, optimizer: a.optim, progress: progress)
            try manager.saveBestIfImproved(metrics: [("coco/bbox_mAP", mAP), ("coco/bbox_mAP_50", 0.9)], model: a.net, progress: progress)
        }
        #expect(files(dir) == [
            "best_coco_bbox_mAP_epoch_3.json", "best_coco_bbox_mAP_epoch_3.safetensors",
            "epoch_3.json", "epoch_3.optim.safetensors", "epoch_3.safetensors",
            "epoch_4.json", "epoch_4.optim.safetensors", "epoch_4.safetensors", "last_checkpoint",
        ])  // no ".epoch_N....tmp-" files either
        #expect(try String(contentsOfFile: dir + "/last_checkpoint", encoding: .utf8) == "epoch_4.json\n")
        #expect(manager.kept == ["epoch_3", "epoch_4"] && manager.best?.score == 0.4)
        // A resumed manager carries the kept list and the best on.
        let b = try Run(seed: 2, steps: 0)
        let resumed = CheckpointManager(workDir: dir, maxKeepCkpts: 2, saveBest: "coco/bbox_mAP")
        _ = try resumed.resume(from: .auto, model: b.net, optimizer: b.optim) { _ in }
        #expect(resumed.kept == ["epoch_3", "epoch_4"] && resumed.best?.stem == "best_coco_bbox_mAP_epoch_3")
        #expect(manager.shouldSave(epoch: 3, maxEpochs: 12) && CheckpointManager(workDir: dir, interval: 5).shouldSave(epoch: 12, maxEpochs: 12))
        #expect(!CheckpointManager(workDir: dir, interval: 5).shouldSave(epoch: 4, maxEpochs: 12))
    }

    /// A scratch work dir holding the epoch-1 checkpoint of a 2-step run.
    static func savedOnce(_ name: String) throws -> String {
        let dir = try scratchDirectory(name)
        let a = try Run(seed: 1, steps: 2)
        try CheckpointManager(workDir: dir).save(model: a.net, optimizer: a.optim, progress: a.progress)
        return dir
    }

    @Test func corruptedFilesAreRejectedByName() throws {
        let dir = try Self.savedOnce("corrupt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let weights = dir + "/epoch_1.safetensors"
        let original = try Data(contentsOf: URL(fileURLWithPath: weights))
        func resumeError() -> String {
            let b = try! Run(seed: 2, steps: 0)
            do { _ = try CheckpointManager(workDir: dir).resume(from: .auto, model: b.net, optimizer: b.optim) { _ in }; return "" } catch {
                return "\(error)"
            }
        }
        try original.prefix(original.count - 10).write(to: URL(fileURLWithPath: weights))  // truncated
        #expect(resumeError().hasPrefix(weights + ": has \(original.count - 10) bytes"))
        var flipped = original
        flipped[flipped.count - 1] ^= 0x40  // same size, one bit changed
        try flipped.write(to: URL(fileURLWithPath: weights))
        #expect(resumeError().hasPrefix(weights + ": content hash"))
        try FileManager.default.removeItem(atPath: dir + "/epoch_1.optim.safetensors")
        try original.write(to: URL(fileURLWithPath: weights))
        #expect(resumeError().hasPrefix(dir + "/epoch_1.optim.safetensors: missing"))
        try FileManager.default.removeItem(atPath: dir + "/epoch_1.json")
        #expect(resumeError().contains("epoch_1.json: checkpoint sidecar not found"))
    }

    /// A sidecar edited or damaged into values no run writes is refused by name before anything
    /// acts on it (a negative epoch trapped in the sampler, an iteration at Int.max on the next
    /// step, a scheduler without base values on its first step, and a kept name with a path
    /// deleted files outside the work dir at the next max_keep_ckpts).
    @Test func tamperedSidecarsAreRefused() throws {
        let dir = try Self.savedOnce("tampered")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/epoch_1.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try CheckpointIO.readSidecar(path).problem == nil)
        let edits: [(String, (inout [String: Any]) -> Void)] = [
            ("epoch -1 is not allowed", { $0["epoch"] = -1 }),
            ("iteration 9223372036854775807 is not allowed", { $0["iteration"] = Int.max }),
            ("kept checkpoint '../victim/epoch_1' is not a file stem", { $0["kept"] = ["../victim/epoch_1"] }),
            ("the scheduler has 0 base values for 1 parameter groups", { d in
                var scheduler = d["scheduler"] as? [String: Any] ?? [:]
                scheduler["baseValues"] = [Double]()
                d["scheduler"] = scheduler
            }),
        ]
        for (phrase, edit) in edits {
            var dict = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
            edit(&dict)
            try JSONSerialization.data(withJSONObject: dict).write(to: URL(fileURLWithPath: path))
            let b = try Run(seed: 2, steps: 0)
            #expect {
                _ = try CheckpointManager(workDir: dir).resume(from: .auto, model: b.net, optimizer: b.optim) { _ in }
            } throws: { "\($0)".hasPrefix(path + ": checkpoint sidecar: " + phrase) }
        }
    }

    /// Stand-in for a process killed mid-save: the hook throws after a given file of the
    /// epoch-2 save. The previous checkpoint (and `last_checkpoint`) must still load, and
    /// the partial one must be rejected (no sidecar) or ignored (the pointer is unchanged).
    @Test(arguments: ["epoch_2.safetensors", "epoch_2.optim.safetensors", "epoch_2.json", "last_checkpoint"])
    func interruptedSaveKeepsThePreviousCheckpoint(stopAfter: String) throws {
        struct Killed: Error {}
        let dir = try scratchDirectory("kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try Run(seed: 1, steps: 2)
        let manager = CheckpointManager(workDir: dir, maxKeepCkpts: 1)
        try manager.save(model: first.net, optimizer: first.optim, progress: first.progress)
        let later = try Run(seed: 5, steps: 3)
        var progress = later.progress
        progress.epoch = 2
        manager.afterEachFile = { if $0.hasSuffix("/" + stopAfter) { throw Killed() } }
        #expect(throws: Killed.self) { try manager.save(model: later.net, optimizer: later.optim, progress: progress) }

        let b = try Run(seed: 9, steps: 0)
        let sidecar = try CheckpointManager(workDir: dir).resume(from: .auto, model: b.net, optimizer: b.optim) { _ in }
        if stopAfter == "last_checkpoint" {
            // Everything was written and the pointer renamed in: epoch 2 is the checkpoint now.
            #expect(sidecar?.epoch == 2 && stateScalars(b.net) == stateScalars(later.net))
        } else {
            #expect(sidecar?.epoch == 1 && stateScalars(b.net) == stateScalars(first.net))
            #expect(files(dir).contains("epoch_1.safetensors"), "max_keep_ckpts must not delete before the new save completes")
            if stopAfter != "epoch_2.json" {
                #expect(throws: CheckpointError.self) {
                    try CheckpointIO.load(sidecarPath: dir + "/epoch_2.json", model: b.net, optimizer: nil)
                }
            }
        }
        #expect(!files(dir).contains { $0.hasPrefix(".") }, "temporary files left: \(files(dir))")
    }

    @Test func noCheckpointStartsFresh() throws {
        let dir = try scratchDirectory("fresh")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try Run(seed: 1, steps: 0)
        var log: [String] = []
        #expect(try CheckpointManager(workDir: dir).resume(from: .auto, model: a.net, optimizer: a.optim) { log.append($0) } == nil)
        #expect(log.count == 1 && log[0].contains("No checkpoint found"))
    }

    @Test func hookConfigAndFNV() throws {
        let cfg = try configView("c = dict(type='CheckpointHook', interval=2, max_keep_ckpts=3, save_best='auto')", "c")
        let m = try CheckpointManager(config: cfg, workDir: "/tmp/x")
        #expect(m.interval == 2 && m.maxKeepCkpts == 3 && m.saveBest == "auto" && m.rule == nil)
        #expect(CheckpointManager.inferRule("coco/bbox_mAP") == .greater && CheckpointManager.inferRule("loss") == .less)
        #expect(throws: ConfigError.self) { try CheckpointManager(config: try configView("c = dict(interval=1, save_best='coco/segm_x')", "c"), workDir: "/tmp/x") }
        // FNV-1a 64 reference values: "" -> cbf29ce484222325, "a" -> af63dc4c8601ec8c.
        #expect(FNV1a64.hex(FNV1a64.hash(Data())) == "cbf29ce484222325")
        #expect(FNV1a64.hex(FNV1a64.hash(Data("a".utf8))) == "af63dc4c8601ec8c")
    }
}
