import ArgumentParser
import Config
import Datasets
import Foundation
import Structures

/// `bench data`: the training data pipeline of configs/_base_/datasets/coco_instance.py
/// (decode, resize to 1333x800, flip, masks, pack, preprocess with Mask R-CNN's
/// DetDataPreprocessor; batch 2, 2 worker threads) over a COCO-format folder (the project's
/// data/fruits_nuts unless `--data-root`/`--ann-file` name another), and the time
/// to read a large COCO file into the Structures index (images, annotations, categories, the
/// per-image and per-category lookups). Compare the second with pycocotools' `COCO()` on the
/// same file: the reference harness's `make_big_coco.py BIG.json` (outside the project; README, Benchmarks) writes one and times it.
struct DataBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "COCO training pipeline images/s and COCO JSON load time.")

    @Option(help: "A large COCO instances file to time loading (e.g. written by make_big_coco.py).")
    var jsonFile: String?

    @Option(help: "The COCO-format folder (its images under images/).")
    var dataRoot: String = DataBench.projectPath("data/fruits_nuts")

    @Option(help: "The annotation file, relative to --data-root.")
    var annFile: String = "annotations/instances_train.json"

    @Option(help: "Epochs over the images (the first is not timed).")
    var epochs = 2

    @Option(help: "Worker threads of the loader.")
    var workers = 2

    static func projectPath(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative).path
    }

    static var configPath: String { projectPath("configs/_base_/datasets/coco_instance.py") }

    func run() throws {
        print("bench data: load \(Timing.loadAverage())")
        try pipeline()
        if let jsonFile { try jsonLoad(jsonFile) }
    }

    private func pipeline() throws {
        let options = [
            "train_dataloader.dataset.data_root=\(dataRoot)/",
            "train_dataloader.dataset.ann_file=\(annFile)",
            "train_dataloader.dataset.data_prefix.img=images/",
            "train_dataloader.num_workers=\(workers)",
        ]
        let cfg = try ConfigLoader().load(file: Self.configPath, options: options)
        let loader = try DataLoader(config: try cfg.view("train_dataloader"), seed: 0)
        let preprocessor = DetDataPreprocessor(padMask: true)
        var images = 0
        var seconds = 0.0
        for epoch in 0..<max(epochs, 2) {
            let start = DispatchTime.now().uptimeNanoseconds
            var n = 0
            let it = loader.epoch(epoch)
            while let batch = try it.next() {
                let out = preprocessor(batch, training: true)
                n += out.samples.count
            }
            let t = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            print(String(format: "epoch %d: %d images in %.2f s", epoch, n, t))
            if epoch > 0 { images += n; seconds += t }
        }
        print(String(format: "data-images-per-s: %.1f", Double(images) / seconds))
    }

    private func jsonLoad(_ path: String) throws {
        _ = FileManager.default.contents(atPath: path)  // the file cache, as the Python script has it
        let start = DispatchTime.now().uptimeNanoseconds
        let index = try CocoDataset.readIndex(path)
        let t = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        print("# parsed by simdjson (\(SimdJSONParser.implementation) kernel), json-c only to locate errors")
        print("# \(index.images.count) images, \(index.annotations.count) annotations, \(index.categories.count) categories")
        print(String(format: "coco-json-load-s: %.2f", t))
    }
}
