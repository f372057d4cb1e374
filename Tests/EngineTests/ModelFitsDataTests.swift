import Config
import Engine
import Foundation
import Testing
import TestSupport

/// mmdetection's NumClassCheckHook: a model whose heads predict another number of classes
/// than the dataset has stops before the first iteration (training) or image (testing), with
/// both numbers and the annotation file named; it used to trap at the first iteration (fewer
/// classes) or train silently (80, the usual leftover from a COCO base config).
@Suite struct ModelFitsDataTests {
    @Test(arguments: [2, 80])
    func numClassesMustMatchTheDataset(_ n: Int) throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let options = ["model.roi_head.bbox_head.num_classes=\(n)", "model.roi_head.mask_head.num_classes=\(n)"]
        var iterations = 0
        do {
            _ = try RunnerTests.runner(try RunnerTests.tinyConfig(options + ["train_cfg.max_epochs=1"]), workDir: dir + "/train")
                .train { _ in iterations += 1 }
            Issue.record("trained with num_classes=\(n)")
        } catch {
            let text = "\(error)"
            #expect(text.contains("predicts \(n) classes") && text.contains("train_dataloader.dataset has 3")
                    && text.contains("instances_") && text.contains("num_classes=3") && iterations == 0, "\(text)")
        }
        do {
            let runner = try RunnerTests.runner(try RunnerTests.tinyConfig(options), workDir: dir + "/test")
            try runner.model.saveStateDict(to: dir + "/own.safetensors")  // weights that fit the model itself
            try runner.test(checkpoint: dir + "/own.safetensors")
            Issue.record("tested with num_classes=\(n)")
        } catch {
            #expect("\(error)".contains("test_dataloader.dataset has 3"), "\(error)")
        }
    }
}

/// Validation and test log their progress at the logger interval, as mmengine does
/// (`Epoch(test) [ 2/19]    eta: ...`), in the run's log file, not only on a terminal.
@Suite struct EvaluationProgressTests {
    @Test func testLogsProgressLinesAtTheLoggerInterval() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = try RunnerTests.runner(try RunnerTests.tinyConfig(["default_hooks.logger.interval=1"]), workDir: dir + "/w")
        try runner.model.saveStateDict(to: dir + "/own.safetensors")
        try runner.test(checkpoint: dir + "/own.safetensors")
        let files = FileManager.default.enumerator(atPath: dir + "/w")?.compactMap { $0 as? String } ?? []
        let log = try #require(files.first { $0.hasSuffix(".log") })
        let text = try String(contentsOfFile: dir + "/w/" + log, encoding: .utf8)
        let lines = text.split(separator: "\n").filter { $0.contains("Epoch(test) [") && $0.contains("eta: ") }
        #expect(lines.count >= 2, "\(text)")
        #expect(lines.first?.contains("[1/") == true, "\(lines)")
        #expect(lines.allSatisfy { $0.contains("time: ") && $0.contains("memory: ") })
    }
}

/// Outputs are checked before the long work, and a bad folder is said in words (#18).
@Suite struct OutputCheckTests {
    @Test func testOutputsAreCheckedBeforeInference() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = try RunnerTests.runner(try RunnerTests.tinyConfig(), workDir: dir + "/w")
        // No checkpoint is needed to be refused: the output is checked first.
        let missing = dir + "/no-such-weights.safetensors"
        #expect { try runner.test(checkpoint: missing, out: dir + "/r.pkl") } throws: { "\($0)".contains("give a .json file") }
        try Data().write(to: URL(fileURLWithPath: dir + "/afile"))
        #expect { try runner.test(checkpoint: missing, out: dir + "/afile/sub/r.json") } throws: { "\($0)".contains("is a file") }
        #expect { try runner.test(checkpoint: missing, showDir: dir + "/afile") } throws: { "\($0)".contains("is a file, not a folder") }
        // A work dir under a file: said in words, not Foundation's error text.
        do {
            _ = try RunnerTests.runner(try RunnerTests.tinyConfig(), workDir: dir + "/afile/w")
            Issue.record("a work dir under a file was made")
        } catch {
            #expect("\(error)".contains("work dir") && "\(error)".contains("is a file") && !"\(error)".contains("NSCocoaErrorDomain"), "\(error)")
        }
    }
}

/// The error that ends a run is in the run's log; resuming a finished run says so (#18).
@Suite struct RunEndingTests {
    static func logText(_ workDir: String) throws -> String {
        let files = FileManager.default.enumerator(atPath: workDir)?.compactMap { $0 as? String } ?? []
        return try files.filter { $0.hasSuffix(".log") }.map { try String(contentsOfFile: workDir + "/" + $0, encoding: .utf8) }.joined()
    }

    @Test func theEndingErrorIsInTheLog() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let options = ["model.roi_head.bbox_head.num_classes=2", "model.roi_head.mask_head.num_classes=2", "train_cfg.max_epochs=1"]
        #expect(throws: (any Error).self) { try RunnerTests.runner(try RunnerTests.tinyConfig(options), workDir: dir + "/w").train() }
        let log = try Self.logText(dir + "/w")
        #expect(log.contains("- ERROR - ") && log.contains("predicts 2 classes"), "\(log)")
    }

    @Test func resumingAFinishedRunTrainsNothingAndSaysSo() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try RunnerTests.tinyConfig(["train_cfg.max_epochs=1"])
        try RunnerTests.runner(config, workDir: dir + "/w").train()
        var iterations = 0
        let metrics = try RunnerTests.runner(config, workDir: dir + "/w", resume: .auto).train { _ in iterations += 1 }
        #expect(iterations == 0 && metrics.isEmpty)
        #expect(try Self.logText(dir + "/w").contains("already trained its 1 epochs"))
    }
}

/// Resuming keeps the log's smoothing window (mmengine keeps the message hub's history), so the
/// logged means after a resume are those of an uninterrupted run, with no jump in the curves.
@Suite struct ResumeLogWindowTests {
    /// `step` -> logged `loss` of every scalars.json under `workDir`.
    static func loggedLoss(_ workDir: String) throws -> [Int: Double] {
        let files = FileManager.default.enumerator(atPath: workDir)?.compactMap { $0 as? String }.filter { $0.hasSuffix("scalars.json") } ?? []
        var out: [Int: Double] = [:]
        for f in files {
            for line in try String(contentsOfFile: workDir + "/" + f, encoding: .utf8).split(separator: "\n") {
                guard let d = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let step = d["step"] as? Int, let loss = d["loss"] as? Double, d["iter"] != nil else { continue }
                out[step] = loss
            }
        }
        return out
    }

    @Test func resumedLogMeansEqualTheUninterruptedOnes() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logEvery = ["default_hooks.logger.interval=1", "log_processor.window_size=10"]
        try RunnerTests.runner(try RunnerTests.tinyConfig(logEvery), workDir: dir + "/a").train()
        try RunnerTests.runner(try RunnerTests.tinyConfig(logEvery + ["train_cfg.max_epochs=1"]), workDir: dir + "/b").train()
        try RunnerTests.runner(try RunnerTests.tinyConfig(logEvery), workDir: dir + "/b", resume: .auto).train()
        let straight = try Self.loggedLoss(dir + "/a"), resumed = try Self.loggedLoss(dir + "/b")
        // (Runs started within the same second share their timestamp folder: only the resumed
        // run's steps are certain to be there.)
        #expect(straight.count == 14 && (8...14).allSatisfy { resumed[$0] != nil }, "\(resumed.keys.sorted())")
        for step in 8...14 {
            // Means over up to 10 iterations reaching back into the first epoch.
            #expect(resumed[step] == straight[step], "step \(step): \(resumed[step] ?? .nan) resumed, \(straight[step] ?? .nan) straight")
        }
    }
}

/// The issue's remaining cases (#18): `test` checks a sidecar's hashes as resuming does; a
/// missing image ends the run before its first iteration with the error in the log; validation
/// logs progress lines as testing does; a tool's error line has one `error:`.
@Suite struct RunInputTests {
    @Test func testRefusesWeightsThatDoNotMatchTheirSidecar() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try RunnerTests.tinyConfig(["train_cfg.max_epochs=1"])
        try RunnerTests.runner(config, workDir: dir + "/w").train()
        let weights = dir + "/w/epoch_1.safetensors"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        bytes[bytes.count - 1] ^= 0x40  // same size, one bit changed: swapped or damaged weights
        try bytes.write(to: URL(fileURLWithPath: weights))
        #expect { try RunnerTests.runner(config, workDir: dir + "/t").test(checkpoint: dir + "/w/epoch_1.json") } throws: {
            "\($0)".contains(weights) && "\($0)".contains("content hash")
        }
        // The weights file itself (no sidecar to check against) still loads.
        try RunnerTests.runner(config, workDir: dir + "/t2").loadWeights(weights)
    }

    @Test func aMissingImageEndsTheRunBeforeItStartsAndIsInTheLog() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = RunnerTests.data + "annotations/instances_val.json"
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: source))) as? [String: Any])
        var images = try #require(json["images"] as? [[String: Any]])
        images.append(["id": 9999, "file_name": "gone.jpg", "width": 640, "height": 480])
        json["images"] = images
        // With an object, so that filter_empty_gt keeps it.
        var annotations = try #require(json["annotations"] as? [[String: Any]])
        var one = try #require(annotations.first)
        one["id"] = 99999
        one["image_id"] = 9999
        annotations.append(one)
        json["annotations"] = annotations
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir + "/ann.json"))
        var iterations = 0
        let options = ["train_cfg.max_epochs=1", "train_dataloader.dataset.ann_file=\(dir)/ann.json"]
        #expect { try RunnerTests.runner(try RunnerTests.tinyConfig(options), workDir: dir + "/w").train { _ in iterations += 1 } } throws: {
            "\($0)".contains("gone.jpg") && "\($0)".contains(dir + "/ann.json")
        }
        #expect(iterations == 0)
        let log = try RunEndingTests.logText(dir + "/w")
        #expect(log.contains("- ERROR - ") && log.contains("gone.jpg"), "\(log)")
    }

    @Test func validationLogsProgressLinesAtTheLoggerInterval() throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tiny = try RunnerTests.tinyConfig(["train_cfg.max_epochs=1", "default_hooks.logger.interval=1"])
        var dict = tiny.dict
        dict["val_cfg"] = ["type": "ValLoop"]
        try RunnerTests.runner(ConfigView(dict: dict, source: tiny.source), workDir: dir + "/w").train()
        let lines = try RunEndingTests.logText(dir + "/w").split(separator: "\n").filter { $0.contains("Epoch(val) [1][") && $0.contains("eta: ") }
        #expect(lines.count >= 2 && lines.first?.contains("[1][1/") == true, "\(lines)")
    }

    @Test func toolErrorLinesSayErrorOnce() {
        struct Plain: Error, CustomStringConvertible { let description: String }
        #expect(ConfigFile.failureLine("train", Plain(description: "error: no such file")) == "train: error: no such file")
        #expect(ConfigFile.failureLine("train", Plain(description: "no such file")) == "train: error: no such file")
        let located = ConfigError(.value, "model.x: bad (a.py)")
        #expect(!ConfigFile.failureLine("test", located).contains("error: error:"))
    }
}
