import Config
import Engine
import Foundation
import Models
import Testing
import TestSupport

// README:begin
/// Detects objects in one image with a trained model and prints what it found.
func detectObjects(config configPath: String, checkpoint: String, image: String, outputs: String) throws -> [String] {
    // The config (mmdetection's Python, YAML or JSON) and a checkpoint with mmdetection's key
    // names (.pth or safetensors), loaded strictly; the model is put in eval mode.
    let config = try ConfigFile.load(configPath)
    let detector = try ImageInference(config: config, checkpoint: checkpoint)

    // One image file (JPEG or PNG): the config's test pipeline, then the model. Boxes,
    // scores, labels and masks are in the image's own pixels.
    let prediction = try detector.predict(imagePath: image)
    let found = prediction.detections.keeping(scoreAtLeast: 0.3)
    var lines: [String] = []
    for i in 0..<found.count {
        let box = found.boxes.scalars[(4 * i)..<(4 * i + 4)]        // x1, y1, x2, y2
        let name = detector.classes[found.labels[i]]
        let maskArea = found.masks?[i].reduce(0) { $0 + Int($1) }   // masks: 0/1 bytes, image-sized
        lines.append("\(name) \(found.scores[i]) \(Array(box)) mask \(maskArea ?? 0) px")
    }

    // As `detect` does: <stem>.json (COCO results) and <stem>.jpg (the detections drawn).
    try detector.write(prediction, imageId: 0, stem: "result", to: outputs, scoreThreshold: 0.3)
    return lines
}
// README:end

/// The README's "Use SwiftDet from Swift" example is this file's code (checked word for
/// word) and runs: on the demo config with freshly initialised weights saved as a checkpoint.
@Suite struct ReadmeExampleTests {
    static func between(_ text: String, _ begin: String, _ end: String) -> String? {
        guard let a = text.range(of: begin), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
        return String(text[a.upperBound..<b.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func readmeShowsThisCode() throws {
        let readme = try String(contentsOfFile: TestFiles.packageRoot.appendingPathComponent("README.md").path, encoding: .utf8)
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let shown = try #require(Self.between(readme, "<!-- swift-example:begin -->\n```swift", "```\n<!-- swift-example:end -->"))
        let code = try #require(Self.between(source, "// README:begin", "// README:end"))
        #expect(shown.hasSuffix(code), "README.md's Swift example differs from ReadmeExampleTests.swift")
        #expect(shown.hasPrefix("import Config\nimport Engine\nimport Models"))
    }

    /// Run on mmdetection's tiny GN+WS Mask R-CNN (Tests/Fixtures/mmdet: its merged config
    /// written as a JSON config file, its weights as a checkpoint): the lines printed are the
    /// detections scoring 0.3 and more, and the files are written.
    @Test func exampleRuns() throws {
        let dir = try ImageInferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (config, tensors) = try ImageInferenceTests.fixture()
        try ConfigDump.json(config.dict).write(toFile: dir + "/tiny.json", atomically: true, encoding: .utf8)
        let model = try ModelRegistry.detectors.build(try config.view("model"))
        try model.loadStateDict(from: tensors, prefix: "state_dict.")
        try model.saveStateDict(to: dir + "/tiny.safetensors")
        let image = try TestFiles.project("data/fruits_nuts/images/3.jpg")
        let lines = try detectObjects(config: dir + "/tiny.json", checkpoint: dir + "/tiny.safetensors", image: image,
                                      outputs: dir + "/out")
        let expected = try ImageInference(config: config, model: model).predict(imagePath: image).detections.keeping(scoreAtLeast: 0.3)
        #expect(lines.count == expected.count && !lines.isEmpty, "\(lines.count) lines, \(expected.count) detections")
        #expect(lines.first?.hasPrefix(["date", "fig", "hazelnut"][expected.labels[0]] + " ") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out").sorted() == ["result.jpg", "result.json"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/result.json"))) as! [Any]
        #expect(json.count == lines.count)
    }
}
