import Config
import Datasets
import Engine
import Foundation
import Testing
import TestSupport

/// browse-dataset: the pipeline's image with its ground truth drawn: masks change the pixels
/// inside the instances, the background away from every box stays as the pipeline made it.
@Suite struct GroundTruthBrowserTests {
    @Test func drawsTheGroundTruthOnThePipelineImage() throws {
        let data = TestFiles.packageRoot.appendingPathComponent("data/fruits_nuts/").path + "/"
        let view = try ConfigFile.load(RunnerTests.demo, options: ["train_dataloader.dataset.data_root=\(data)"])
        let loader = try DataLoader(config: try view.view("train_dataloader"), seed: 0, warn: { _ in })
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("browse-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = try GroundTruthBrowser.write(loader: loader, outputDir: dir, limit: 2)
        #expect(paths.count == 2)
        var rng = loader.sampleGenerator(epoch: 0, position: 0)
        let packed = try loader.dataset.sample(0, rng: &rng)
        let drawn = try JPEGDecoder.load(path: paths[0])
        #expect(drawn.height == packed.image.height && drawn.width == packed.image.width)
        let boxes = packed.sample.gtInstances.bboxes.values
        func diff(_ x: Int, _ y: Int) -> Int {
            let base = (y * drawn.width + x) * 3
            var worst = 0
            for c in 0..<3 {
                let a = Int(drawn.pixels[base + c]), b = Int(packed.image.pixels[base + c])
                worst = max(worst, abs(a - b))
            }
            return worst
        }
        func inAnyBox(_ x: Int, _ y: Int) -> Bool {
            let fx = Float(x), fy = Float(y)
            for i in stride(from: 0, to: boxes.count, by: 4) {
                let insideX = fx >= boxes[i] - 12 && fx <= boxes[i + 2] + 12
                let insideY = fy >= boxes[i + 1] - 24 && fy <= boxes[i + 3] + 12
                if insideX && insideY { return true }
            }
            return false
        }
        // The centre of each instance box is covered by its mask colour.
        var changed = 0
        for i in stride(from: 0, to: boxes.count, by: 4) {
            if diff(Int((boxes[i] + boxes[i + 2]) / 2), Int((boxes[i + 1] + boxes[i + 3]) / 2)) > 30 { changed += 1 }
        }
        #expect(changed * 10 >= boxes.count / 4 * 8, "\(changed) of \(boxes.count / 4) instance centres coloured")
        // Far from every box only JPEG noise remains.
        var background: [Int] = []
        for y in stride(from: 0, to: drawn.height, by: 7) {
            for x in stride(from: 0, to: drawn.width, by: 7) where !inAnyBox(x, y) { background.append(diff(x, y)) }
        }
        #expect(!background.isEmpty)
        #expect(Double(background.reduce(0, +)) / Double(background.count) < 4)
    }
}
