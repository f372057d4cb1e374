import Config
import Engine
import Foundation
import Testing
import TestSupport

/// Every typed dict outside `model` (dataloaders, datasets, pipelines, samplers, evaluators,
/// loops, optimizer, schedulers, hooks, visualizer, log processor) of the project's configs and
/// of mmdetection's merged configs that the tests carry (Tests/Fixtures/mmdet/tiny-*.json),
/// mutated one at a time (its `type` replaced by an unknown name; an unknown key added):
/// training (or, for the test sections, testing) stops with an error naming that key path
/// before any iteration.
///
/// Each config keeps its runtime sections as written; only what cannot run here is swapped:
/// `model` becomes the tiny demo model (the model's own dicts are mutated by ModelsTests'
/// TypeMutationTests), and every dataset and evaluator points at the bundled fruits_nuts data
/// (two images), so that a COCO config's sections are checked without COCO. The top-level
/// `train_pipeline`, `test_pipeline`, `conv_cfg` and `norm_cfg` are plain variables the config
/// reuses (mmengine builds nothing from them), so they are not mutated.
@Suite struct RuntimeTypeTests {
    static let variables: Set<String> = ["train_pipeline", "test_pipeline", "conv_cfg", "norm_cfg", "model"]
    static let loaders = ["train_dataloader", "val_dataloader", "test_dataloader"]

    /// A config's runtime sections, prepared to run here.
    struct Case: CustomTestStringConvertible, Sendable {
        let names: [String]
        let dict: ConfigDict
        let source: String
        var testDescription: String { names.joined(separator: ", ") }
    }

    /// The configs, grouped by identical runtime sections (most COCO configs share their bases).
    static let cases: [Case] = {
        var named: [(String, ConfigView)] = []
        let root = TestFiles.packageRoot.appendingPathComponent("configs").path
        let files = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".py") && !$0.hasPrefix("_base_") }.sorted()
        for f in files {
            if let v = try? ConfigLoader().load(file: root + "/" + f) { named.append(("configs/" + f, v)) }
        }
        for name in ["tiny-mask-rcnn_r50_fpn_gn-ws-all", "tiny-faster-rcnn_x50-4x4d_fpn_gn-ws-all",
                     "tiny-mask-rcnn_r50_fpn_frozen-bn", "tiny-faster-rcnn_r18_fpn_gn-ws"] {
            guard let path = try? TestFiles.fixture("mmdet/\(name).json"),
                  let text = try? String(contentsOfFile: path, encoding: .utf8),
                  let sidecar = try? ConfigDict(jsonText: text, name: path),
                  case .dict(let merged)? = sidecar["merged_config"] else { continue }
            named.append(("mmdet/\(name).json merged_config", ConfigView(dict: merged, source: path)))
        }
        var groups: [String: Case] = [:]
        var order: [String] = []
        for (name, view) in named {
            guard let dict = try? runnable(view.dict) else { continue }
            let key = ConfigDump.json(dict)
            if let c = groups[key] {
                groups[key] = Case(names: c.names + [name], dict: c.dict, source: c.source)
            } else {
                groups[key] = Case(names: [name], dict: dict, source: view.source)
                order.append(key)
            }
        }
        return order.map { groups[$0]! }
    }()

    /// `dict` with the tiny demo model, its datasets and evaluators on the bundled data (two
    /// images each), one epoch, validation on.
    static func runnable(_ dict: ConfigDict) throws -> ConfigDict {
        let tiny = try RunnerTests.tinyConfig()
        var out = dict
        out["model"] = tiny.dict["model"]
        if case .dict(let m)? = dict["model"], m["type"] == "FasterRCNN" {
            // The demo model without its mask branch (the pipelines load no masks).
            out = try CfgOptions.apply(["model.type=FasterRCNN"], to: out)
            for path in ["roi_head.mask_roi_extractor", "roi_head.mask_head", "train_cfg.rcnn.mask_size", "test_cfg.rcnn.mask_thr_binary"] {
                let keys = path.split(separator: ".").map(String.init)
                out["model"] = removing(keys[...], from: out["model"]!)
            }
        }
        for loader in loaders {
            guard case .dict(var l)? = out[loader], case .dict(var d)? = l["dataset"] else { continue }
            d["data_root"] = .string(RunnerTests.data)
            d["ann_file"] = "annotations/instances_val.json"
            d["data_prefix"] = ["img": "images/"]
            d["metainfo"] = ["classes": .tuple(["date", "fig", "hazelnut"])]
            d["indices"] = 2
            l["dataset"] = .dict(d)
            l["batch_size"] = 2
            out[loader] = .dict(l)
        }
        for evaluator in ["val_evaluator", "test_evaluator"] {
            guard case .dict(var e)? = out[evaluator] else { continue }
            e["ann_file"] = .string(RunnerTests.data + "annotations/instances_val.json")
            out[evaluator] = .dict(e)
        }
        return try CfgOptions.apply(["train_cfg.max_epochs=1", "train_cfg.val_interval=1"], to: out)
    }

    static func removing(_ path: ArraySlice<String>, from value: ConfigValue) -> ConfigValue {
        guard case .dict(var d) = value, let first = path.first else { return value }
        if path.count == 1 { d[first] = nil } else if let inner = d[first] { d[first] = removing(path.dropFirst(), from: inner) }
        return .dict(d)
    }

    /// Each typed dict of `c` outside the model, with `key` = `value`: training (testing for
    /// the test sections) must stop before any iteration with an error naming that key path
    /// and containing `mustSay`.
    static func expectEachMutationFails(_ c: Case, key: String, value: ConfigValue, mustSay: String) throws {
        let paths = ConfigMutation.typePaths(.dict(c.dict)).filter { !Self.variables.contains($0.first ?? "") }
        #expect(paths.count >= 25, "\(c): only \(paths.count) typed dicts outside model")
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let weights = dir + "/weights.safetensors"
        try RunnerTests.runner(ConfigView(dict: c.dict, source: c.source), workDir: dir).model.saveStateDict(to: weights)
        for p in paths {
            guard case .dict(let mutated) = ConfigMutation.setting(key, to: value, in: .dict(c.dict), at: p[...]) else {
                Issue.record("mutation of \(p) is not a dict")
                continue
            }
            let where_ = ConfigMutation.render(p)
            var iterations = 0
            do {
                let runner = try RunnerTests.runner(ConfigView(dict: mutated, source: c.source), workDir: dir + "/\(UUID().uuidString)")
                if p.first?.hasPrefix("test_") == true {
                    try runner.test(checkpoint: weights)
                } else {
                    _ = try runner.train(onIteration: { _ in iterations += 1 })
                }
                Issue.record("\(c): \(where_).\(key)=\(value): the run went through")
            } catch {
                let text = "\(error)"
                #expect(text.contains(where_) && text.contains(mustSay) && iterations == 0,
                        "\(c): \(where_).\(key): \(text) after \(iterations) iterations")
            }
        }
    }

    /// The keys of `IgnoredKeys` are accepted where mmdetection's configs write them.
    @Test func ignoredKeysAreAccepted() throws {
        let options = IgnoredKeys.entries.compactMap { e -> String? in
            switch e.owner {
            case "ResNet": return "model.backbone.\(e.key)=True"
            case "DataLoader": return "train_dataloader.\(e.key)=True"
            case "CocoDataset": return "train_dataloader.dataset.\(e.key)=\(e.key == "max_refetch" ? "5" : "True")"
            case "env_cfg", "randomness": return "\(e.owner).\(e.key)=True"
            default: return nil
            }
        }
        #expect(options.count == IgnoredKeys.entries.count)
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = try RunnerTests.runner(try RunnerTests.tinyConfig(options), workDir: dir)
        #expect(try runner.dataloader("train_dataloader") != nil)
        // A misspelt one is not accepted, and the message points to the real key.
        do {
            _ = try RunnerTests.runner(try RunnerTests.tinyConfig(["model.backbone.with_cq=True"]), workDir: dir)
            Issue.record("model.backbone.with_cq was accepted")
        } catch {
            #expect("\(error)".contains("with_cq") && "\(error)".contains("with_cp"), "\(error)")
        }
    }

    /// Values SwiftDet does not implement, in sections whose other values it accepts.
    @Test(arguments: [
        ("default_hooks.visualization.draw=True", "default_hooks.visualization.draw"),
        ("default_hooks.visualization.test_out_dir=out", "default_hooks.visualization.test_out_dir"),
        ("log_processor.by_epoch=False", "log_processor.by_epoch"),
        ("log_processor.custom_cfg=[dict(data_src='loss')]", "log_processor.custom_cfg"),
        ("visualizer.alpha=0.5", "visualizer"),
        ("env_cfg.no_such_key=1", "env_cfg"),
        ("randomness.no_such_key=1", "randomness"),
    ])
    func unsupportedRuntimeValuesAreErrors(_ option: String, _ key: String) throws {
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try RunnerTests.runner(try RunnerTests.tinyConfig([option]), workDir: dir)
            Issue.record("\(option) was accepted")
        } catch {
            #expect("\(error)".contains(key), "\(option): \(error)")
        }
    }

    @Test func theConfigsAreAllThere() {
        #expect(Self.cases.flatMap(\.names).count == 27, "\(Self.cases.map(\.names))")
    }

    @Test(arguments: cases)
    func everyUnknownRuntimeTypeIsAnErrorNamingItsPath(_ c: Case) throws {
        try Self.expectEachMutationFails(c, key: "type", value: "NoSuchType", mustSay: "NoSuchType")
    }

    @Test(arguments: cases)
    func everyUnknownKeyInARuntimeDictIsAnErrorNamingIt(_ c: Case) throws {
        try Self.expectEachMutationFails(c, key: "no_such_key", value: 1, mustSay: "no_such_key")
    }
}
