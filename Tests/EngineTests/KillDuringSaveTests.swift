import Engine
import Foundation
import Models
import Testing
import TestSupport

/// The real thing behind CheckpointTests' simulated interruptions: the `train` executable is
/// killed with SIGKILL at arbitrary moments while it writes a checkpoint every epoch (a tiny
/// model, ~0.2 s per epoch), then resumed with `--resume auto` and killed again. After every
/// kill, `last_checkpoint` names a checkpoint whose files pass their size and hash checks and
/// load into the model.
@Suite struct KillDuringSaveTests {
    static let options: [String] = {
        let data = TestFiles.packageRoot.appendingPathComponent("data/fruits_nuts/").path + "/"
        return RunnerTests.tinyModelOptions + [
            "train_dataloader.dataset.data_root=\(data)", "train_dataloader.dataset.pipeline.2.scale=(96,72)",
            "train_cfg.max_epochs=1000", "val_cfg=None", "default_hooks.checkpoint.interval=1",
            "default_hooks.checkpoint.max_keep_ckpts=2", "default_hooks.logger.interval=1000",
        ]
    }()

    @Test func killedTrainingAlwaysLeavesALoadableLatestCheckpoint() throws {
        let train = try TestFiles.builtExecutable("train")
        let config = TestFiles.packageRoot.appendingPathComponent("configs/demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = try ModelRegistry.detectors.build(try ConfigFile.load(config, options: Self.options).view("model"))
        var epochsSeen: [Int] = []
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<6 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: train)
            p.arguments = [config, "--work-dir", dir, "--seed", "3"] + (trial > 0 ? ["--resume", "auto"] : [])
                + ["--cfg-options"] + Self.options
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Wait for this run's first new checkpoint, then kill at a random moment of the next saves.
            let before = Self.latestEpoch(dir)
            let deadline = Date().addingTimeInterval(120)
            while Self.latestEpoch(dir) == before && p.isRunning && Date() < deadline { usleep(20_000) }
            usleep(UInt32.random(in: 0..<400_000, using: &rng))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal, "trial \(trial): train exited by itself (status \(p.terminationStatus))")
            let pointer = try String(contentsOfFile: dir + "/last_checkpoint", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let sidecar = try CheckpointIO.load(sidecarPath: dir + "/" + pointer, model: model, optimizer: nil)
            epochsSeen.append(sidecar.epoch)
        }
        // Each resumed run continued from where the previous one was killed.
        #expect(epochsSeen == epochsSeen.sorted() && epochsSeen.last! > epochsSeen.first!, "\(epochsSeen)")
    }

    static func latestEpoch(_ dir: String) -> Int? {
        guard let text = try? String(contentsOfFile: dir + "/last_checkpoint", encoding: .utf8) else { return nil }
        return Int(text.filter(\.isNumber))
    }
}
