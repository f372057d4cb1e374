import Config
import Datasets
import Engine
import Foundation
import Kernels
import Models
import Testing
import TestSupport

/// The training loop on a tiny Mask R-CNN over the bundled fruits_nuts images (96-pixel short
/// side): resume continues bit-exactly, a non-finite loss stops the run and keeps the last
/// good checkpoint, and test reproduces the val numbers from the saved weights.
@Suite(.serialized) struct RunnerTests {
    static let demo = TestFiles.packageRoot.appendingPathComponent("configs/demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py").path
    static let data = TestFiles.packageRoot.appendingPathComponent("data/fruits_nuts/").path + "/"

    /// The demo model at widths 8-16 (cfg-options; also given to the train executable).
    static let tinyModelOptions = [
        "model.backbone.base_channels=8", "model.neck.in_channels=[8,16,32,64]", "model.neck.out_channels=16",
        "model.rpn_head.in_channels=16", "model.rpn_head.feat_channels=16",
        "model.roi_head.bbox_roi_extractor.out_channels=16", "model.roi_head.bbox_head.in_channels=16",
        "model.roi_head.bbox_head.conv_out_channels=16", "model.roi_head.bbox_head.fc_out_channels=32",
        "model.roi_head.mask_roi_extractor.out_channels=16", "model.roi_head.mask_head.in_channels=16",
        "model.roi_head.mask_head.conv_out_channels=16", "model.train_cfg.rcnn.sampler.num=64",
    ]

    /// A tiny version of the demo config: widths 8-16, short side 96, 2 epochs, no eval.
    static func tinyConfig(_ extra: [String] = []) throws -> ConfigView {
        let options = tinyModelOptions + [
            "train_dataloader.dataset.data_root=\(data)", "val_dataloader.dataset.data_root=\(data)",
            "test_dataloader.dataset.data_root=\(data)",
            "val_evaluator.ann_file=\(data)annotations/instances_val.json",
            "test_evaluator.ann_file=\(data)annotations/instances_val.json",
            "train_cfg.max_epochs=2", "train_cfg.val_interval=1", "val_cfg=None",
            "param_scheduler.0.end=5", "param_scheduler.1.milestones=[1]", "param_scheduler.1.end=2",
            "default_hooks.checkpoint.interval=1", "default_hooks.checkpoint.max_keep_ckpts=-1",
        ] + extra
        var view = try ConfigFile.load(demo, options: options)
        // The pipelines' Resize is list-indexed; set it for both pipelines.
        view = ConfigView(dict: try CfgOptions.apply([
            "train_dataloader.dataset.pipeline.2.scale=(128,96)", "val_dataloader.dataset.pipeline.1.scale=(128,96)",
            "test_dataloader.dataset.pipeline.1.scale=(128,96)",
        ], to: view.dict), source: view.source)
        return view
    }

    static func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func runner(_ config: ConfigView, workDir: String, resume: RunOptions.Resume? = nil) throws -> Runner {
        var o = RunOptions()
        o.workDir = workDir
        o.seed = 7
        o.resume = resume
        o.echo = false
        return try Runner(config: config, configPath: demo, options: o)
    }

    @Test func resumeContinuesBitExactly() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var straight: [IterationRecord] = []
        try Self.runner(try Self.tinyConfig(), workDir: dir + "/a").train { straight.append($0) }
        #expect(straight.count == 14)

        var first: [IterationRecord] = []
        try Self.runner(try Self.tinyConfig(["train_cfg.max_epochs=1"]), workDir: dir + "/b").train { first.append($0) }
        var second: [IterationRecord] = []
        try Self.runner(try Self.tinyConfig(), workDir: dir + "/b", resume: .auto).train { second.append($0) }
        #expect(first.count == 7 && second.count == 7)
        let resumed = first + second
        for (a, b) in zip(straight, resumed) {
            #expect(a.iteration == b.iteration && a.lr == b.lr)
            #expect(a.loss == b.loss, "iteration \(a.iteration): \(a.loss) uninterrupted, \(b.loss) resumed")
            #expect(a.losses.map(\.1) == b.losses.map(\.1))
        }
        // The learning rates are the schedule's: warm-up over 5 iterations, x0.1 from epoch 2.
        #expect(abs(straight[0].lr - 0.02 * 0.001) < 1e-12)
        #expect(abs(straight[5].lr - 0.02) < 1e-12)
        #expect(abs(straight[7].lr - 0.002) < 1e-12)
        // Training moved the losses.
        #expect(straight.last!.loss < straight.first!.loss)
    }

    @Test func nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Epoch 1 trains normally; from epoch 2 the lr is multiplied by 1e30.
        let config = try Self.tinyConfig(["param_scheduler.1.gamma=1e30", "optim_wrapper.clip_grad=None"])
        let runner = try Self.runner(config, workDir: dir)
        let error = #expect(throws: RunnerError.self) { try runner.train() }
        let text = error?.description ?? ""
        #expect(text.contains("non-finite loss at epoch 2"), "\(text)")
        #expect(text.contains("epoch_1.safetensors"), "\(text)")
        #expect(text.contains("loss") && (text.contains("nan") || text.contains("inf") || text.contains("NaN")), "\(text)")
        // The epoch-1 checkpoint is intact and loadable; nothing of epoch 2 was written.
        let pointer = try String(contentsOfFile: dir + "/last_checkpoint", encoding: .utf8)
        #expect(pointer.trimmingCharacters(in: .whitespacesAndNewlines) == "epoch_1.json")
        #expect(!FileManager.default.fileExists(atPath: dir + "/epoch_2.json"))
        let fresh = try Self.runner(try Self.tinyConfig(), workDir: dir + "/other")
        try CheckpointIO.load(sidecarPath: dir + "/epoch_1.json", model: fresh.model, optimizer: nil)
    }

    @Test func testToolReproducesValidationFromTheCheckpoint() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tiny = try Self.tinyConfig(["train_cfg.max_epochs=1"])
        var dict = tiny.dict
        dict["val_cfg"] = .dict(["type": "ValLoop"])  // tinyConfig turns validation off
        let config = ConfigView(dict: dict, source: tiny.source)
        let trained = try Self.runner(config, workDir: dir)
        let valMetrics = try trained.train()
        #expect(valMetrics.map(\.0).prefix(2) == ["coco/bbox_mAP", "coco/bbox_mAP_50"])
        #expect(valMetrics.count == 12)
        let tester = try Self.runner(config, workDir: dir + "/test")
        let out = dir + "/results.json"
        let testMetrics = try tester.test(checkpoint: dir + "/epoch_1.safetensors", out: out, showDir: dir + "/show")
        #expect(testMetrics.map(\.1) == valMetrics.map(\.1))
        #expect(FileManager.default.fileExists(atPath: out))
        // Ground truth left, predictions right: twice the photo's width.
        let shown = try ImageDecoder.load(path: dir + "/show/3.jpg")
        #expect(shown.width == 2 * 800 && shown.height == 600)
        // scalars.json has one line per logged iteration and one for the validation.
        let runDirs = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("20") }
        let scalars = try ScalarLog(contentsOf: "\(dir)/\(try #require(runDirs.first))/vis_data/scalars.json")
        #expect(scalars.records.contains { $0.values["coco/segm_mAP"] != nil })
        #expect(scalars.records.contains { $0.values["loss_mask"] != nil && $0.values["lr"] != nil })
    }
}
