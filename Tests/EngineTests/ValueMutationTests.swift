import Config
import Datasets
import Engine
import Foundation
import Kernels
import Models
import Testing
import TestSupport

/// 2,000 seeded single mutations of the numbers and lists of every config under `configs/`
/// (0, -1, a huge value, a float for an int, an empty list, a list of the wrong length): what
/// the mutated value can change is built (the model and its data preprocessor, or the runner,
/// the dataloaders with their first batch through the pipeline and the preprocessor, and the
/// evaluators: see `run`); for the demo config one training iteration runs on the demo data.
/// Each outcome is success or an error naming the mutated key path; a trap ends the test
/// process, which fails the suite.
///
/// COCO configs read their data from the bundled fruits_nuts files (only the paths change),
/// and their backbones start from random weights (the ImageNet checkpoints are not here).
/// Top-level variables that nothing builds (`train_pipeline`, `norm_cfg`, `width`, ...) are not
/// mutated: the sections built from them carry their values.
///
/// `SWIFTDET_MUTATION_TRACE=FILE` appends "start N" / "end N" lines around each mutation and
/// skips those already started: rerunning after a trap goes on past it, and the file names
/// every mutation that trapped (a "start" with no "end"). Use with `--no-parallel`.
@Suite struct ValueMutationTests {
    static let total = 2000
    static let seed: UInt64 = 0x5EED_2026
    static let demo = "configs/demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py"
    /// The top-level keys the runner builds from; the others are the config's own variables.
    static let sections: Set<String> = [
        "model", "train_dataloader", "val_dataloader", "test_dataloader", "train_cfg", "val_cfg", "test_cfg",
        "val_evaluator", "test_evaluator", "optim_wrapper", "param_scheduler", "default_hooks", "custom_hooks",
        "env_cfg", "randomness", "log_processor", "visualizer", "vis_backends", "auto_scale_lr",
    ]

    struct Planned: Sendable {
        let number: Int
        let config: String
        let path: [String]
        let mutation: ValueMutation
        var where_: String { ConfigMutation.render(path) }
    }

    struct Chunk: CustomTestStringConvertible, Sendable {
        let items: [Planned]
        var testDescription: String { "\(items[0].config) #\(items[0].number)-\(items.last!.number)" }
    }

    static let configs: [(String, ConfigDict)] = {
        let root = TestFiles.packageRoot.appendingPathComponent("configs").path
        let files = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".py") && !$0.hasPrefix("_base_") }.sorted()
        return files.compactMap { f in (try? ConfigLoader().load(file: root + "/" + f)).map { ("configs/" + f, $0.dict) } }
    }()

    /// Every (config, value, mutation), drawn without replacement with a fixed seed; chunks of
    /// one config each, in the order drawn.
    static let chunks: [Chunk] = {
        var all: [(String, [String], ValueMutation)] = []
        for (name, dict) in configs {
            for (path, value) in ValueMutation.valuePaths(.dict(dict)) where sections.contains(path[0]) {
                for m in ValueMutation.applicable(to: value) { all.append((name, path, m)) }
            }
        }
        var rng = SeededGenerator(seed: seed)
        all.shuffle(using: &rng)
        let drawn = all.prefix(total).enumerated().map { Planned(number: $0.offset, config: $0.element.0, path: $0.element.1, mutation: $0.element.2) }
        var out: [Chunk] = []
        for (name, _) in configs {
            let mine = drawn.filter { $0.config == name }
            let size = name == demo ? 12 : 60
            for start in stride(from: 0, to: mine.count, by: size) {
                out.append(Chunk(items: Array(mine[start..<min(start + size, mine.count)])))
            }
        }
        return out
    }()

    @Test func theDrawCoversEveryConfig() {
        #expect(Self.configs.count == 23)
        let items = Self.chunks.flatMap(\.items)
        #expect(items.count == Self.total)
        #expect(Set(items.map(\.config)).count == Self.configs.count)
        for m in [ValueMutation.zero, .minusOne, .huge, .floatForInt, .emptyList, .wrongLength] {
            #expect(items.contains { "\($0.mutation)" == "\(m)" }, "no \(m) mutation drawn")
        }
    }

    @Test(arguments: chunks)
    func aMutatedValueBuildsOrIsALocatedError(_ chunk: Chunk) throws {
        let (_, dict) = try #require(Self.configs.first { $0.0 == chunk.items[0].config })
        let trace = ProcessInfo.processInfo.environment["SWIFTDET_MUTATION_TRACE"].map(Trace.init)
        let baseline = try Self.firstBatches(ConfigView(dict: try Self.onBundledData(dict), source: try TestFiles.project(chunk.items[0].config)))
        for item in chunk.items {
            if let trace, !trace.begin(item) { continue }
            let value = ValueMutation.valuePaths(.dict(dict)).first { $0.0 == item.path }!.1
            let newValue = item.mutation.replacing(value)
            guard case .dict(let mutated) = ValueMutation.replacing(at: item.path[...], with: newValue, in: .dict(dict)) else {
                Issue.record("\(item.where_) is not in \(item.config)")
                continue
            }
            do {
                try Self.run(try Self.onBundledData(mutated), config: item.config, path: item.path, batches: baseline)
            } catch {
                #expect(Self.isLocated("\(error)", item.path, newValue),
                        "#\(item.number) \(item.config): \(item.where_) = \(item.mutation): \(error)")
            }
            trace?.end(item)
        }
    }

    /// What a mutation at `path` can change, built from the mutated `dict`: for the demo
    /// config, the runner and one training iteration. For the others: a value under `model`,
    /// the detector and its preprocessor (which takes `batches`, the unmutated config's first
    /// batches, when the value is the preprocessor's); any other value, the runner (model
    /// initialised, runtime sections checked), each dataloader's first batch through its
    /// pipeline and the preprocessor, and the evaluators.
    static func run(_ dict: ConfigDict, config: String, path: [String], batches: [(batch: [PackedSample], training: Bool)]) throws {
        let view = ConfigView(dict: dict, source: try TestFiles.project(config))
        if config != demo, path[0] == "model" {
            _ = try ModelRegistry.detectors.build(try view.view("model"))
            let preprocessor = try DetDataPreprocessor(config: try view.view("model").view("data_preprocessor"))
            if path.count > 1, path[1] == "data_preprocessor" {
                for b in batches { _ = preprocessor(b.batch, training: b.training) }
            }
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mutation-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = RunOptions()
        options.workDir = dir
        options.seed = 7
        options.echo = false
        let runner = try Runner(config: view, configPath: view.source, options: options, logToFiles: config == demo)
        if config == demo {
            struct OneIteration: Error {}
            do { try runner.train(onIteration: { _ in throw OneIteration() }) } catch is OneIteration {}
            return
        }
        for b in try firstBatches(view) { _ = runner.preprocessor(b.batch, training: b.training) }
        _ = try runner.evaluator("val_evaluator")
        _ = try runner.evaluator("test_evaluator")
    }

    /// Each dataloader's first batch, the loaders built as the runner builds them but without
    /// its class check (the COCO models predict 80 classes, the bundled data has 3).
    static func firstBatches(_ view: ConfigView) throws -> [(batch: [PackedSample], training: Bool)] {
        var out: [(batch: [PackedSample], training: Bool)] = []
        for key in ["train_dataloader", "val_dataloader", "test_dataloader"] {
            guard let loaderConfig = try view.optionalView(key) else { continue }
            let loader = try DataLoader(config: loaderConfig, seed: 7, warn: { _ in })
            if let batch = try loader.epoch(0).next() { out.append((batch, key == "train_dataloader")) }
        }
        return out
    }

    /// Whether an error names where the mutated value is: its key path, or the path's end from
    /// its parent on ("bbox_roi_extractor.out_channels", as cross-checks name the other side),
    /// or the list it is in; or the component that read it (a dict at least two keys deep, as
    /// "model.neck"), as the registry names a builder's own error ("model.neck (FPN): Conv2d
    /// weight of shape [...] would need 1.0 TB") or with the value ("param_scheduler[0]: end
    /// (100) must be larger than begin (1000000000)").
    static func isLocated(_ text: String, _ path: [String], _ value: ConfigValue) -> Bool {
        var paths = [path]
        var list = path
        while list.last?.hasPrefix("[") == true {
            list.removeLast()
            paths.append(list)
        }
        for p in paths {
            for start in 0..<p.count where !p[start].hasPrefix("[") && p[start...].filter({ !$0.hasPrefix("[") }).count >= 2 {
                if text.contains(ConfigMutation.render(Array(p[start...]))) { return true }
            }
        }
        let shown: [String] = switch value {
        case .int(let i): ["\(i)"]
        case .double(let d): ["\(d)", String(format: "%g", d)]
        default: []
        }
        return path.count > 2 && (2..<path.count).contains { n in
            let component = ConfigMutation.render(Array(path.prefix(n)))
            return text.contains(component + " (") || (text.contains(component + ": ") && shown.contains(where: text.contains))
        }
    }

    /// `dict` with every dataset and evaluator reading the bundled fruits_nuts files, and no
    /// ImageNet checkpoint for the backbone (SwiftDet downloads nothing; the tests have none).
    static func onBundledData(_ dict: ConfigDict) throws -> ConfigDict {
        let data = TestFiles.packageRoot.appendingPathComponent("data/fruits_nuts/").path + "/"
        var out = dict
        if case .dict(var model)? = out["model"], case .dict(var backbone)? = model["backbone"], backbone["init_cfg"] != nil {
            backbone["init_cfg"] = ConfigValue.none
            model["backbone"] = .dict(backbone)
            out["model"] = .dict(model)
        }
        for loader in ["train_dataloader", "val_dataloader", "test_dataloader"] {
            guard case .dict(var l)? = out[loader], case .dict(var d)? = l["dataset"] else { continue }
            d["data_root"] = .string(data)
            d["ann_file"] = "annotations/instances_val.json"
            d["data_prefix"] = ["img": "images/"]
            d["metainfo"] = ["classes": .tuple(["date", "fig", "hazelnut"])]
            l["dataset"] = .dict(d)
            out[loader] = .dict(l)
        }
        for evaluator in ["val_evaluator", "test_evaluator"] {
            guard case .dict(var e)? = out[evaluator] else { continue }
            e["ann_file"] = .string(data + "annotations/instances_val.json")
            out[evaluator] = .dict(e)
        }
        return out
    }

    /// The trace file of `SWIFTDET_MUTATION_TRACE`.
    struct Trace {
        let path: String
        init(_ path: String) { self.path = path }

        /// Appends "start N" unless N was started before (then false: skip it).
        func begin(_ item: Planned) -> Bool {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if text.split(separator: "\n").contains(where: { $0.hasPrefix("start \(item.number)\t") }) { return false }
            append("start \(item.number)\t\(item.config) \(item.where_) = \(item.mutation)\n")
            return true
        }

        func end(_ item: Planned) { append("end \(item.number)\n") }

        private func append(_ line: String) {
            if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
            guard let h = FileHandle(forWritingAtPath: path) else { return }
            h.seekToEndOfFile()
            h.write(Data(line.utf8))
            h.closeFile()
        }
    }
}
