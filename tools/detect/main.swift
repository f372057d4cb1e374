import ArgumentParser
import Config
import Engine
import Foundation

/// `detect CONFIG CHECKPOINT IMAGE... [--out-dir DIR] [--score-thr T] [--cfg-options k=v ...]`:
/// mmdetection's image demo. Each image (files, folders, glob patterns; JPEG or PNG) goes
/// through the config's test pipeline and the model;
/// `<stem>.json` (COCO results) and `<stem>.jpg` (detections drawn) go to the output folder.
@main
struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Run a detector on images; write COCO results JSON and drawn images.",
        discussion: """
            Each IMAGE is a file, a folder (the image files directly in it, by name) or a glob \
            pattern such as 'photos/*.png' (quoted, or expanded by the shell). JPEG and PNG are \
            read as mmdetection reads them with OpenCV: 8-bit BGR, EXIF orientation applied.

            For each image, writes into --out-dir <stem>.json, the COCO results list of the image (one \
            {"image_id", "bbox": [x, y, w, h], "score", "category_id"[, "segmentation": compressed RLE]} \
            per detection), and <stem>.jpg, the image with boxes, "class: score" labels and masks drawn. \
            Only detections with score >= --score-thr are written and drawn.

            image_id is the image's 0-based position among the images the arguments name.

            Classes: when the config's test dataset gives metainfo.classes, they name the labels and \
            category_id is the id the test dataset's annotation file gives that class (the 0-based \
            label when the file is not there). Otherwise an 80-class model is taken for a COCO model: \
            COCO's class names, and category_id is the official COCO id (1..90). Any other model writes \
            the label as category_id and draws "class N".

            CHECKPOINT is a PyTorch .pth checkpoint (mmengine's, publish_model's, torchvision's; \
            read without running anything) or a safetensors file, with mmdetection's state-dict \
            keys (a leading `module.` is stripped), loaded strictly \
            (every key of the model and no other).
            """)

    @Argument(help: "Config file (.py, .yaml, .json).")
    var config: String

    @Argument(help: "Checkpoint (.pth or safetensors, mmdetection key names).")
    var checkpoint: String

    @Argument(help: "Images: files, folders or glob patterns (JPEG, PNG).")
    var images: [String]

    @Option(name: .customLong("out-dir"), help: "Output folder (created if needed).")
    var outDir = "outputs"

    @Option(name: .customLong("score-thr"), help: "Keep detections with score >= this.")
    var scoreThr: Float = 0.3

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Overrides key=value (mmdetection syntax).")
    var cfgOptions: [String] = []

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one IMAGE") }
        guard !scoreThr.isNaN else { throw ValidationError("--score-thr nan would keep no detection: give a number") }
    }

    /// The image files the arguments name; two that would write the same output are an error.
    static func imageFiles(_ inputs: [String]) throws -> [String] {
        let paths = try ImageInputs.expand(inputs)
        var seen: [String: String] = [:]
        for path in paths {
            let stem = Self.stem(path)
            if let other = seen[stem] { throw ValidationError("\(other) and \(path) would both write \(stem).json; rename one") }
            seen[stem] = path
        }
        return paths
    }

    static func stem(_ path: String) -> String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }

    func run() throws {
        let inference: ImageInference
        let paths: [String]
        do {
            paths = try Self.imageFiles(images)
            let view = try ConfigFile.load(config, options: cfgOptions)
            inference = try ImageInference(config: view, checkpoint: checkpoint)
            try ImageInference.makeOutputDirectory(outDir)
        } catch {
            fail(error)
        }
        var failed = 0
        for (index, path) in paths.enumerated() {
            do {
                let start = Date()
                let prediction = try inference.predict(imagePath: path, imageId: index)
                let out = try inference.write(prediction, imageId: index, stem: Self.stem(path), to: outDir, scoreThreshold: scoreThr)
                print(String(format: "%@: %d detections (score >= %g), %.2f s -> %@, %@", path, out.count, Double(scoreThr),
                             Date().timeIntervalSince(start), out.json, out.image))
            } catch {
                FileHandle.standardError.write(Data("detect: \(Self.message(error))\n".utf8))
                failed += 1
            }
        }
        if failed > 0 {
            FileHandle.standardError.write(Data("detect: \(failed) of \(paths.count) images failed\n".utf8))
            throw ExitCode.failure
        }
    }

    func fail(_ error: Error) -> Never {
        FileHandle.standardError.write(Data("detect: \(Self.message(error))\n".utf8))
        Detect.exit(withError: ExitCode.failure)
    }

    static func message(_ error: Error) -> String {
        String(describing: error)
    }
}
