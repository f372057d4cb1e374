import Datasets
import Foundation
import Structures

/// mmdetection's tools/analysis_tools/browse_dataset.py: every sample of a dataloader's
/// dataset after its pipeline (resized, flipped, ...), with the ground truth boxes, class
/// names and masks drawn, written as `<output>/<image file name>`.
public enum GroundTruthBrowser {
    /// Writes one JPEG per sample (at most `limit`); returns the paths written.
    @discardableResult
    public static func write(loader: DataLoader, outputDir: String, limit: Int? = nil,
                             progress: (Int, Int, String) -> Void = { _, _, _ in }) throws -> [String] {
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let dataset = loader.dataset
        let drawer = DetectionDrawer(dataset: dataset)
        let count = min(dataset.count, limit ?? dataset.count)
        var written: [String] = []
        for i in 0..<count {
            var rng = loader.sampleGenerator(epoch: 0, position: i)
            let packed = try dataset.sample(i, rng: &rng)
            let gt = packed.sample.gtInstances
            let masks: BitmapMasks?
            switch gt.masks {
            case .bitmap(let m)?: masks = m
            case .polygon(let p)?: masks = try p.toBitmap()
            case nil: masks = nil
            }
            let usable = masks.flatMap { $0.height == packed.image.height && $0.width == packed.image.width ? $0 : nil }
            let drawn = drawer.draw(on: packed.image, boxes: gt.bboxes, labels: gt.labels, masks: usable)
            let name = (packed.sample.meta.imgPath.map { ($0 as NSString).lastPathComponent } ?? "\(i).jpg")
            let stem = (name as NSString).deletingPathExtension
            let path = "\(outputDir)/\(stem).jpg"
            try ImageWriter.write(drawn, to: path)
            written.append(path)
            progress(i + 1, count, path)
        }
        return written
    }
}
