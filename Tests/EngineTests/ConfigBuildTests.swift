import Config
import Datasets
import Engine
import Foundation
import Models
import Testing
import TestSupport

/// Every config under configs/ (not the `_base_` fragments) builds what `train` builds: the
/// model, the train/val/test dataloaders, the evaluators, the optimizer wrapper and the LR
/// schedulers. COCO configs read Tests/Fixtures/coco_sample in place of data/coco.
@Suite struct ConfigBuildTests {
    static let root = TestFiles.packageRoot.appendingPathComponent("configs").path

    static let configs: [String] = {
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".py") && !$0.hasPrefix("_base_") }.sorted()
    }()

    /// Points a COCO config's data at the real 160-image COCO sample (whose folder keeps 16 of
    /// the images: the others are skipped, `on_bad_sample='skip'`); a relative data_root that
    /// exists in the package (the demo's) is made absolute.
    static func dataOptions(_ view: ConfigView) throws -> [String] {
        let root = try view.view("train_dataloader").view("dataset").string("data_root")
        if root.hasPrefix("data/coco") {
            let sample = try TestFiles.fixture("coco_sample") + "/"
            let ann = "annotations/instances_train2017_sample.json"
            return ["train_dataloader", "val_dataloader", "test_dataloader"].flatMap { loader in
                ["\(loader).dataset.data_root=\(sample)", "\(loader).dataset.ann_file=\(ann)", "\(loader).dataset.data_prefix.img=images/",
                 "\(loader).dataset.on_bad_sample=skip"]
            } + ["val_evaluator.ann_file=\(sample)\(ann)", "test_evaluator.ann_file=\(sample)\(ann)"]
        }
        let local = TestFiles.packageRoot.appendingPathComponent(root).path + "/"
        return ["train_dataloader", "val_dataloader", "test_dataloader"].map { "\($0).dataset.data_root=\(local)" }
            + ["val_evaluator.ann_file=\(local)annotations/instances_val.json",
               "test_evaluator.ann_file=\(local)annotations/instances_val.json"]
    }

    @Test func theListIsComplete() {
        #expect(Self.configs.count >= 20)
        #expect(Self.configs.contains("demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py"))
    }

    @Test(arguments: configs)
    func buildsModelDataOptimizerAndSchedulers(name: String) throws {
        var view = try ConfigFile.load(Self.root + "/" + name)
        view = ConfigView(dict: try CfgOptions.apply(try Self.dataOptions(view), to: view.dict), source: view.source)
        let model = try ModelRegistry.detectors.build(try view.view("model"))
        #expect(model.namedParameters().count > 100)
        var loaders: [String: DataLoader] = [:]
        for key in ["train_dataloader", "val_dataloader", "test_dataloader"] {
            let loader = try DataLoader(config: try view.view(key), seed: 0, warn: { _ in })
            #expect(loader.dataset.count > 0, "\(name): \(key) is empty")
            loaders[key] = loader
        }
        #expect(loaders["train_dataloader"]!.dataset.testMode == false && loaders["val_dataloader"]!.dataset.testMode)
        for key in ["val_evaluator", "test_evaluator"] {
            let metric = try CocoMetric(config: try view.view(key))
            #expect(metric.metrics.contains(.bbox))
            #expect(metric.metrics.contains(.segm) == (try view.view("model").string("type") == "MaskRCNN"))
        }
        let optim = try OptimWrapper(config: try view.view("optim_wrapper"), model: model)
        // Every trainable parameter is in exactly one group (frozen ones may be, SGD skips them).
        let grouped = optim.groups.flatMap(\.params).map(ObjectIdentifier.init)
        #expect(Set(grouped).count == grouped.count)
        let trainable = model.namedParameters().filter { $0.1.requiresGrad }.map { ObjectIdentifier($0.1) }
        #expect(Set(trainable).isSubset(of: Set(grouped)), "\(name): a trainable parameter has no group")
        let maxEpochs = try view.view("train_cfg").int("max_epochs")
        let epochLength = loaders["train_dataloader"]!.batchIndices(epoch: 0).count
        let base = optim.currentLR
        let table = try LRSchedule(config: view, epochLength: epochLength, maxEpochs: maxEpochs, baseLR: base).table(maxEpochs * epochLength)
        // Every schedule here warms up linearly from base * 0.001 and ends below its base lr.
        #expect(abs(table[0] - base * 0.001) < 1e-12 * base, "\(name): first lr \(table[0])")
        #expect(table.allSatisfy { $0 > 0 && $0 <= base * (1 + 1e-12) })
        #expect(table.last! < base)
    }
}
