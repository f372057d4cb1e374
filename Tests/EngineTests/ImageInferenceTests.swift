import Autograd
import Config
import Datasets
import Engine
import Evaluation
import Foundation
import Models
import NN
import Structures
import Testing
import TestSupport

/// ImageInference end to end on a real photo with mmdetection's tiny GN+WS Mask R-CNN
/// (Tests/Fixtures/mmdet): the config's test pipeline must rebuild mmdetection's input
/// bit for bit, the predictions must be the detector's on that input, and the written JSON
/// and JPEG must hold exactly those detections.
@Suite struct ImageInferenceTests {
    static let caseName = "tiny-mask-rcnn_r50_fpn_gn-ws-all"

    /// The fixture's merged mmengine config and its tensors (weights under `state_dict.`).
    static func fixture() throws -> (config: ConfigView, tensors: SafetensorsFile) {
        let path = try TestFiles.fixture("mmdet/\(caseName).json")
        let sidecar = ConfigView(dict: try ConfigDict(jsonText: String(contentsOfFile: path, encoding: .utf8), name: path), source: path)
        let tensors = try SafetensorsFile(path: TestFiles.fixture("mmdet/\(caseName).safetensors"))
        return (try sidecar.view("merged_config"), tensors)
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-detect-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The inference object as `detect` makes it: the config, and a checkpoint file with
    /// mmdetection's keys (the fixture's weights saved without their prefix).
    static func inference(in dir: String) throws -> (ImageInference, SafetensorsFile) {
        let (config, tensors) = try fixture()
        let source = try ModelRegistry.detectors.build(try config.view("model"))
        try source.loadStateDict(from: tensors, prefix: "state_dict.")
        let checkpoint = (dir as NSString).appendingPathComponent("tiny.safetensors")
        try source.saveStateDict(to: checkpoint)
        return (try ImageInference(config: config, checkpoint: checkpoint), tensors)
    }

    @Test func imageToFilesMatchesTheDetectorOnMmdetectionsInput() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (inference, tensors) = try Self.inference(in: dir)
        let image = try TestFiles.project("data/fruits_nuts/images/3.jpg")
        // The annotation file of the config's test dataset maps the classes to their ids 1, 2, 3.
        #expect(inference.classes == ["date", "fig", "hazelnut"] && inference.categoryIds == [1, 2, 3])
        #expect(!inference.model.training)

        // The test pipeline without LoadAnnotations gives mmdetection's preprocessed input exactly.
        let (batch, original) = try inference.batch(imagePath: image, imageId: 7)
        let expected = try tensors.tensor("input")
        #expect(batch.inputs.shape == expected.shape)
        #expect(batch.inputs.scalars == expected.scalars, "preprocessed input differs from mmdetection's")
        let meta = batch.samples[0].meta
        #expect(meta.oriShape == [600, 800] && meta.imgShape == [384, 512] && meta.scaleFactor == [0.64, 0.64] && meta.imgId == 7)
        #expect(original.height == 600 && original.width == 800)
        #expect(batch.samples[0].gtInstances.count == 0)

        // Predictions: the detector's own on that input, 100 of them as mmdetection's.
        let prediction = try inference.predict(imagePath: image, imageId: 7)
        let direct = try inference.model.predict(inputs: expected, samples: batch.samples, proposals: nil, rescale: true)[0]
        let dets = prediction.detections
        #expect(dets.count == (try tensors.tensor("pred.scores")).count)
        #expect(dets.scores == direct.scores && dets.labels == direct.labels && dets.boxes.scalars == direct.boxes.scalars)
        #expect(try #require(dets.masks).count == dets.count && dets.masks?.first?.count == 600 * 800)

        // Keep the top three, write, and read back.
        let threshold = dets.scores.sorted(by: >)[2]
        let out = try inference.write(prediction, imageId: 7, stem: "3", to: dir + "/out", scoreThreshold: threshold)
        #expect(out.count == 3 && out.json.hasSuffix("/out/3.json") && out.image.hasSuffix("/out/3.jpg"))
        try Self.checkJSON(out.json, dets, threshold: threshold)
        try Self.checkJPEG(out.image, dets, threshold: threshold, original: original, drawn: inference.drawn(prediction, scoreThreshold: threshold))
    }

    /// Read back as coco-eval reads results (pycocotools' loadRes): each record is one kept
    /// detection, with xywh in Float32 arithmetic, the score, the label as category_id, and an
    /// RLE that decodes to the detection's mask.
    static func checkJSON(_ path: String, _ dets: Detections, threshold: Float) throws {
        let truth = try CocoIndex(images: [CocoImage(id: 7, fileName: "3.jpg", width: 800, height: 600)],
                                  categories: ["date", "fig", "hazelnut"].enumerated().map { CocoCategory(id: $0 + 1, name: $1) },
                                  annotations: [])
        let list = try CocoResults(contentsOf: path, groundTruth: truth).detections
        let kept = dets.scores.indices.filter { dets.scores[$0] >= threshold }
        #expect(list.count == kept.count)
        let b = dets.boxes.scalars, masks = try #require(dets.masks)
        for (record, i) in zip(list, kept) {
            #expect(record.imageId == 7 && record.categoryId == dets.labels[i] + 1)
            #expect(record.score == Double(dets.scores[i]))
            let (x1, y1, x2, y2) = (b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3])
            #expect(record.bbox == XYWH(Double(x1), Double(y1), Double(x2 - x1), Double(y2 - y1)))
            guard case .rle(let rle)? = record.segmentation else { Issue.record("record \(i) has no RLE"); continue }
            #expect(rle.height == 600 && rle.width == 800)
            #expect(try rle.decodeRowMajor() == masks[i], "mask \(i) does not survive the RLE round trip")
            #expect(masks[i].contains(1), "mask \(i) is empty")
        }
    }

    /// The JPEG decodes to the drawn image (up to compression) and differs from the photo
    /// along the kept boxes' outlines.
    static func checkJPEG(_ path: String, _ dets: Detections, threshold: Float, original: ImageU8, drawn: ImageU8) throws {
        let jpeg = try JPEGDecoder.load(path: path)
        #expect(jpeg.height == 600 && jpeg.width == 800 && jpeg.channels == 3)
        let meanError = zip(jpeg.pixels, drawn.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) } / jpeg.pixels.count
        #expect(meanError <= 4, "JPEG differs from the drawn image by \(meanError) per value")
        let b = dets.boxes.scalars
        var edge = 0, changed = 0
        for i in dets.scores.indices where dets.scores[i] >= threshold {
            let x1 = Int(b[4 * i].rounded()), y1 = Int(b[4 * i + 1].rounded())
            let x2 = Int(b[4 * i + 2].rounded()), y2 = Int(b[4 * i + 3].rounded())
            let points = (x1...x2).flatMap { [($0, y1), ($0, y2)] } + (y1...y2).flatMap { [(x1, $0), (x2, $0)] }
            for (x, y) in points where x >= 0 && x < 800 && y >= 0 && y < 600 {
                edge += 1
                let diff = (0..<3).map { abs(Int(jpeg[y, x, $0]) - Int(original[y, x, $0])) }.max()!
                if diff > 30 { changed += 1 }
            }
        }
        #expect(edge > 100 && changed * 10 >= edge * 9, "only \(changed) of \(edge) box-outline pixels were drawn")
    }

    @Test func checkpointOfAnotherModelIsRefusedWithItsKeys() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (config, tensors) = try Self.fixture()
        let model = try #require(try ModelRegistry.detectors.build(try config.view("model")) as? TwoStageDetector)
        try model.loadStateDict(from: tensors, prefix: "state_dict.")
        let path = dir + "/partial.safetensors"
        try model.backbone.saveStateDict(to: path)  // keys without "backbone.": all missing, all unexpected
        #expect {
            try ImageInference(config: config, checkpoint: path)
        } throws: { error in
            guard case .checkpointMismatch(_, let report)? = error as? InferenceError else { return false }
            let text = (error as! InferenceError).description
            return report.missing.contains("neck.lateral_convs.0.conv.weight") && report.unexpected.contains("conv1.weight")
                && text.contains(path) && text.contains("missing keys") && text.contains("    conv1.weight")
        }
        #expect(throws: InferenceError.checkpointNotFound(path: dir + "/none.safetensors")) {
            try ImageInference(config: config, checkpoint: dir + "/none.safetensors")
        }
        let inference = try ImageInference(config: config, model: model)
        #expect(throws: DatasetError.missingImage(path: dir + "/none.jpg", imageId: 0)) {
            try inference.predict(imagePath: dir + "/none.jpg")
        }
    }

    @Test func classesFallBackToCocoForEightyClassModels() throws {
        let config = try ConfigLoader().load(text: "model = dict(type='MaskRCNN')\n", file: "bare.py")
        let coco = try ImageInference.labelNames(config, numClasses: 80)
        #expect(coco.classes[0] == "person" && coco.classes[79] == "toothbrush" && coco.categoryIds[79] == 90)
        let other = try ImageInference.labelNames(config, numClasses: 3)
        #expect(other.classes == ["class 0", "class 1", "class 2"] && other.categoryIds == [0, 1, 2])
        #expect(throws: ConfigError.self) { try ImageInference.testPipeline(config) }

        // The table against the official file: every (name, id) of COCO 2017 in id order.
        let index = try CocoIndex(contentsOf: TestFiles.fixture("coco_sample/annotations/instances_train2017_sample.json"))
        #expect(index.categories.map(\.name) == CocoClasses.names)
        #expect(index.categories.map(\.id) == CocoClasses.categoryIds)
    }
}
