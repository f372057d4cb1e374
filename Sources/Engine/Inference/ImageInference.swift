import Autograd
import Config
import Datasets
import Evaluation
import Foundation
import Kernels
import Models
import NN
import Structures

/// A detector's predictions for one image file, in the original image's pixels.
public struct ImagePrediction {
    public var imagePath: String
    /// The decoded image (8-bit BGR) before the pipeline resized it.
    public var image: ImageU8
    /// Boxes (xyxy), scores, labels and masks (the image's size) in the original image.
    public var detections: Detections
}

/// mmdetection's image inference (`DetInferencer` on image files): each file goes through the
/// config's test pipeline without `LoadAnnotations` and through `model.data_preprocessor`,
/// the detector predicts in eval mode, and the results come back in the original image.
/// Results are written as the COCO results list of the image and as the image with its
/// detections drawn (`DetectionDrawer`).
public final class ImageInference {
    public let model: any Detector
    public let pipeline: Pipeline
    public let preprocessor: DetDataPreprocessor
    /// Class names in label order (drawn next to the boxes).
    public let classes: [String]
    /// The `category_id` written for each label.
    public let categoryIds: [Int]
    /// Colours by label (the test dataset's `metainfo.palette` when the config gives one).
    public var palette = Palette()

    /// The parts as given; `model` is put in eval mode.
    public init(model: any Detector, pipeline: Pipeline, preprocessor: DetDataPreprocessor,
                classes: [String], categoryIds: [Int]) {
        checkInvariant(categoryIds.count == model.numClasses,
                     "ImageInference: \(categoryIds.count) category ids for \(model.numClasses) classes")
        self.model = model
        self.pipeline = pipeline
        self.preprocessor = preprocessor
        self.classes = classes
        self.categoryIds = categoryIds
        model.eval()
    }

    /// From a whole config: the model from `model` with `checkpoint` (safetensors with
    /// mmdetection's keys) loaded strictly, the test pipeline, the preprocessor and the classes
    /// (see `labelNames`).
    public convenience init(config: ConfigView, checkpoint: String) throws {
        let model = try ModelRegistry.detectors.build(try config.view("model"))
        try Self.load(checkpoint, into: model)
        try self.init(config: config, model: model)
    }

    /// From a whole config around a model already built and loaded.
    public convenience init(config: ConfigView, model: any Detector) throws {
        try ConfigFile.checkCustomImports(config)
        let names = try Self.labelNames(config, numClasses: model.numClasses)
        self.init(model: model, pipeline: try Self.testPipeline(config), preprocessor: try Self.preprocessor(config),
                  classes: names.classes, categoryIds: names.categoryIds)
        palette = names.palette
    }

    // MARK: - Reading the config

    /// `test_dataloader.dataset.pipeline` (else `val_dataloader`'s; a dataset wrapper's inner
    /// `dataset` is looked into), without its `LoadAnnotations` step: a bare image has none.
    public static func testPipeline(_ config: ConfigView) throws -> Pipeline {
        for loader in ["test_dataloader", "val_dataloader"] {
            guard let dataset = try testDataset(config, loader), dataset.contains("pipeline") else { continue }
            let steps = try dataset.views("pipeline").filter { step in
                step.value("type")?.stringValue.map(unscoped) != "LoadAnnotations"
            }
            return try Pipeline(config: steps)
        }
        throw config.error("test_dataloader", "no test pipeline: expected test_dataloader.dataset.pipeline or val_dataloader.dataset.pipeline")
    }

    /// `model.data_preprocessor`, which must be a `DetDataPreprocessor`.
    public static func preprocessor(_ config: ConfigView) throws -> DetDataPreprocessor {
        let model = try config.view("model")
        guard let pre = try model.optionalView("data_preprocessor") else {
            throw model.error("data_preprocessor", "missing: the model needs a DetDataPreprocessor to normalize its images")
        }
        return try DetDataPreprocessor(config: pre)
    }

    /// Class names and category ids by label. The test dataset's `metainfo.classes`, when the
    /// config gives them, name the labels; their ids are the annotation file's when it can be
    /// read (as CocoDataset maps classes to cat_ids), else label `i` is written as i. Otherwise a model with 80 classes is
    /// taken to be a COCO model: COCO's names and official category ids (1...90); any other
    /// model's labels are named "class i" and written as i.
    public static func labelNames(_ config: ConfigView, numClasses: Int) throws -> (classes: [String], categoryIds: [Int], palette: Palette) {
        for loader in ["test_dataloader", "val_dataloader"] {
            guard let dataset = try testDataset(config, loader), let meta = try dataset.optionalView("metainfo"),
                  let value = meta.value("classes"), !value.isNone else { continue }
            let names = try value.stringValue.map { [$0] } ?? meta.strings("classes")
            guard names.count == numClasses else {
                throw meta.error("classes", "\(names.count) class names for a model with \(numClasses) classes")
            }
            // The annotation file, when it is here, gives the category ids (as CocoDataset maps
            // classes to cat_ids); otherwise the 0-based label is the id.
            if let built = try? Registries.datasets.build(dataset), built.classes == names {
                return (names, built.categoryIds, Palette(dataset: built.palette))
            }
            let palette = try CocoDataset.palette(meta)
            if let palette, palette.count < names.count {
                throw meta.error("palette", "\(palette.count) colours for \(names.count) classes: give one (R, G, B) per class")
            }
            return (names, Array(0..<numClasses), Palette(dataset: palette))
        }
        if numClasses == CocoClasses.names.count { return (CocoClasses.names, CocoClasses.categoryIds, Palette()) }
        return ((0..<numClasses).map { "class \($0)" }, Array(0..<numClasses), Palette())
    }

    /// The dataset dict of a dataloader (the innermost of dataset wrappers), if any.
    static func testDataset(_ config: ConfigView, _ loader: String) throws -> ConfigView? {
        guard var dataset = try config.optionalView(loader)?.optionalView("dataset") else { return nil }
        while !dataset.contains("pipeline"), let inner = try dataset.optionalView("dataset") { dataset = inner }
        return dataset
    }

    /// "mmdet.LoadAnnotations" -> "LoadAnnotations", as the registries read scoped names.
    static func unscoped(_ type: String) -> String { type.split(separator: ".").last.map(String.init) ?? type }

    /// Loads a safetensors checkpoint strictly; a file that does not fit the model is an error
    /// listing the missing and unexpected keys and the shape mismatches.
    public static func load(_ checkpoint: String, into model: any Detector) throws {
        guard FileManager.default.fileExists(atPath: checkpoint) else { throw InferenceError.checkpointNotFound(path: checkpoint) }
        do {
            try model.loadStateDict(path: checkpoint)
        } catch let error as StateDictError {
            guard let report = error.report else { throw InferenceError.unreadableCheckpoint(path: checkpoint, reason: error.reason) }
            throw InferenceError.checkpointMismatch(path: checkpoint, report: report)
        } catch let error as SafetensorsFile.Error {
            throw InferenceError.unreadableCheckpoint(path: checkpoint, reason: error.description)
        } catch let error as PthError {
            throw InferenceError.unreadableCheckpoint(path: checkpoint, reason: error.message)
        }
    }

    // MARK: - Inference

    /// The image at `path` through the test pipeline and the preprocessor (a batch of one),
    /// and the image as decoded (before any resize).
    public func batch(imagePath path: String, imageId: Int = 0) throws -> (batch: DetBatch, image: ImageU8) {
        try run(PipelineResults(info: DataInfo(imgId: imageId, imgPath: path, height: 0, width: 0, instances: [],
                                               annotationFile: "")), source: path)
    }

    /// An image already in memory (8-bit BGR, a video frame say) through the test pipeline
    /// without its loading step (mmdetection's `LoadImageFromNDArray`) and the preprocessor.
    public func batch(image: ImageU8, imageId: Int = 0) throws -> DetBatch {
        guard image.channels == 3, image.height > 0, image.width > 0 else {
            throw DatasetError.pipeline("an image of \(image.height)x\(image.width)x\(image.channels): expected 8-bit BGR with 3 channels")
        }
        var results = PipelineResults(info: DataInfo(imgId: imageId, imgPath: "", height: image.height, width: image.width,
                                                     instances: [], annotationFile: ""))
        results.img = image
        results.imgShape = [image.height, image.width]
        results.oriShape = [image.height, image.width]
        return try run(results, source: "an image in memory").batch
    }

    private func run(_ start: PipelineResults, source: String) throws -> (batch: DetBatch, image: ImageU8) {
        var results = start
        var rng = SeededGenerator(seed: 0)
        var original = results.img
        for step in pipeline.transforms {
            if original != nil && step is LoadImageFromFile { continue }
            try step.apply(&results, rng: &rng)
            if original == nil { original = results.img }
        }
        guard let packed = results.packed, let original else {
            throw DatasetError.pipeline("the test pipeline did not load and pack \(source) (it must start with LoadImageFromFile and end with PackDetInputs)")
        }
        return (preprocessor([packed], training: false), original)
    }

    /// The model's detections for an image in memory (8-bit BGR), in its pixels.
    public func predict(image: ImageU8, imageId: Int = 0) throws -> ImagePrediction {
        let batch = try batch(image: image, imageId: imageId)
        let detections = try model.predict(inputs: batch.inputs, samples: batch.samples, proposals: nil, rescale: true)[0]
        return ImagePrediction(imagePath: "", image: image, detections: detections)
    }

    /// The model's detections for the image at `path`, in its original pixels.
    public func predict(imagePath path: String, imageId: Int = 0) throws -> ImagePrediction {
        let (batch, image) = try batch(imagePath: path, imageId: imageId)
        let detections = try model.predict(inputs: batch.inputs, samples: batch.samples, proposals: nil, rescale: true)[0]
        return ImagePrediction(imagePath: path, image: image, detections: detections)
    }

    // MARK: - Outputs

    /// COCO results records of the detections scoring at least `scoreThreshold`.
    public func records(_ prediction: ImagePrediction, imageId: Int, scoreThreshold: Float) -> [DetectionRecord] {
        prediction.detections.keeping(scoreAtLeast: scoreThreshold)
            .records(imageId: imageId, categoryIds: categoryIds, height: prediction.image.height, width: prediction.image.width)
    }

    /// The image with the detections scoring at least `scoreThreshold` drawn: boxes, "name:
    /// score" labels, and masks.
    public func drawn(_ prediction: ImagePrediction, scoreThreshold: Float) -> ImageU8 {
        var style = DetectionDrawer.Style()
        style.palette = palette
        return DetectionDrawer(classNames: classes, scoreThreshold: -.infinity, style: style)
            .draw(on: prediction.image, detections: prediction.detections.keeping(scoreAtLeast: scoreThreshold))
    }

    /// Creates `directory` (and its parents) unless it exists.
    public static func makeOutputDirectory(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InferenceError.outputDirectory(path: directory, reason: "a file of that name exists") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw InferenceError.outputDirectory(path: directory, reason: error.localizedDescription)
        }
    }

    /// Writes `<stem>.json` (the COCO results list) and `<stem>.jpg` (the drawn image) into
    /// `directory`, creating it if needed; returns the two paths and the number of detections kept.
    @discardableResult
    public func write(_ prediction: ImagePrediction, imageId: Int, stem: String, to directory: String,
                      scoreThreshold: Float) throws -> (json: String, image: String, count: Int) {
        try Self.makeOutputDirectory(directory)
        let json = (directory as NSString).appendingPathComponent(stem + ".json")
        let jpg = (directory as NSString).appendingPathComponent(stem + ".jpg")
        let records = records(prediction, imageId: imageId, scoreThreshold: scoreThreshold)
        try ResultsWriter.write(records, to: json)
        try ImageWriter.write(drawn(prediction, scoreThreshold: scoreThreshold), to: jpg)
        return (json, jpg, records.count)
    }
}

extension Detections {
    /// The detections whose score is at least `threshold`, in their order.
    public func keeping(scoreAtLeast threshold: Float) -> Detections {
        let kept = scores.indices.filter { scores[$0] >= threshold }
        guard kept.count < count else { return self }
        let b = boxes.scalars
        return Detections(boxes: Tensor(shape: [kept.count, 4], kept.flatMap { b[(4 * $0)..<(4 * $0 + 4)] }),
                          scores: kept.map { scores[$0] }, labels: kept.map { labels[$0] },
                          masks: masks.map { m in kept.map { m[$0] } })
    }
}

/// What stops image inference before the model runs: the checkpoint or the output folder.
public enum InferenceError: Error, CustomStringConvertible, Equatable {
    case checkpointNotFound(path: String)
    case unreadableCheckpoint(path: String, reason: String)
    /// Strict loading found keys that do not match the model.
    case checkpointMismatch(path: String, report: LoadReport)
    case outputDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .checkpointNotFound(let path): return "checkpoint not found: \(path)"
        case .unreadableCheckpoint(let path, let reason): return "\(path): not a readable safetensors checkpoint: \(reason)"
        case .outputDirectory(let path, let reason): return "cannot create the output folder \(path): \(reason)"
        case .checkpointMismatch(let path, let report):
            var text = "\(path): the checkpoint does not match the model (strict loading)"
            func list(_ title: String, _ keys: [String]) {
                guard !keys.isEmpty else { return }
                text += "\n  \(keys.count) \(title):"
                for key in keys.prefix(20) { text += "\n    \(key)" }
                if keys.count > 20 { text += "\n    ... and \(keys.count - 20) more" }
            }
            list("missing keys (in the model, not in the file)", report.missing)
            list("unexpected keys (in the file, not in the model)", report.unexpected)
            list("shape mismatches", report.shapeMismatches)
            return text
        }
    }
}
