import Datasets
import Evaluation
import Foundation
import Structures

/// mmdetection's `tools/analysis_tools/analyze_results.py`: each test image scored on its own,
/// ranked, and the best and worst drawn. The score is the image's COCO AP@[.5:.95] (COCOeval
/// restricted to that image: 101-point interpolated precision, IoU thresholds 0.50 to 0.95,
/// all areas, 100 detections), for boxes or masks. mmdetection 3.3 uses a VOC-style mAP over
/// the same IoU thresholds on boxes only; the COCO AP is the number users read everywhere else.
public enum ResultsAnalysis {
    /// One image's score.
    public struct ImageScore: Equatable, Sendable {
        public var imageId: Int
        /// Position in the test dataset.
        public var index: Int
        public var ap: Double

        public init(imageId: Int, index: Int, ap: Double) {
            self.imageId = imageId
            self.index = index
            self.ap = ap
        }
    }

    /// Each image of the dataset with ground truth (crowds alone do not count) and its AP, in
    /// dataset order; images with none have no AP (COCOeval's -1) and are left out.
    public static func perImageAP(_ set: TestSetResults, iouType: CocoEvalParams.IoUType) throws -> [ImageScore] {
        let byImage = set.detectionsByImage()
        var scores: [ImageScore] = []
        for index in 0..<set.dataset.count {
            let id = set.dataset.info(index).imgId
            guard let image = set.groundTruth.image(id: id) else { continue }
            let annotations = set.groundTruth.annotations(imageId: id)
            let one = try CocoIndex(images: [image], categories: set.groundTruth.categories, annotations: annotations,
                                    path: set.groundTruth.path)
            let results = CocoResults(detections: byImage[id] ?? [], path: set.results.path)
            let stats = try CocoEval(groundTruth: one, results: results, params: CocoEvalParams(iouType: iouType))
                .evaluate().accumulate().summarize().stats
            if stats[0] >= 0 { scores.append(ImageScore(imageId: id, index: index, ap: stats[0])) }
        }
        return scores
    }

    /// mmdetection's selection: scores sorted ascending (a stable sort: ties keep dataset
    /// order); `topk` at most half the images; the worst are the first `topk`, the best the
    /// last `topk` (both in ascending order).
    public static func rank(_ scores: [ImageScore], topk: Int) -> (good: [ImageScore], bad: [ImageScore]) {
        let k = 2 * topk > scores.count ? scores.count / 2 : max(topk, 0)
        let sorted = scores.enumerated().sorted { ($0.element.ap, $0.offset) < ($1.element.ap, $1.offset) }.map(\.element)
        return (Array(sorted.suffix(k)), Array(sorted.prefix(k)))
    }

    /// `<stem>_<AP rounded to 3 decimals>`, as Python prints the rounded number.
    public static func fileStem(imagePath: String, ap: Double) -> String {
        let stem = ((imagePath as NSString).lastPathComponent as NSString).deletingPathExtension
        // Python's round(ap, 3) rounds the exact binary value, ties to even, as printf does.
        let rounded = Double(String(format: "%.3f", ap)) ?? ap
        return "\(stem)_\(rounded)"
    }

    /// Draws each image's detections scoring above `scoreThreshold` (boxes, labels, and masks
    /// when the results have them) into `directory/<stem>_<AP>.jpg`; returns the paths.
    public static func draw(_ scores: [ImageScore], of set: TestSetResults, into directory: String,
                            scoreThreshold: Float) throws -> [String] {
        try ImageInference.makeOutputDirectory(directory)
        let drawer = DetectionDrawer(dataset: set.dataset, scoreThreshold: scoreThreshold)
        let byImage = set.detectionsByImage()
        return try scores.map { score in
            let info = set.dataset.info(score.index)
            let image = try ImageDecoder.load(path: info.imgPath, imageId: info.imgId)
            let dets = (byImage[score.imageId] ?? []).filter { set.label(ofCategory: $0.categoryId) != nil }
            let boxes = HorizontalBoxes(dets.flatMap { d in
                [Float(d.bbox.x), Float(d.bbox.y), Float(d.bbox.x + d.bbox.w), Float(d.bbox.y + d.bbox.h)]
            })
            var masks: BitmapMasks?
            if !dets.isEmpty, dets.allSatisfy({ $0.segmentation != nil }) {
                var data = [UInt8]()
                data.reserveCapacity(dets.count * image.height * image.width)
                for d in dets {
                    guard case .rle(let rle)? = d.segmentation, rle.height == image.height, rle.width == image.width else {
                        data = []
                        break
                    }
                    data += try rle.decodeRowMajor()
                }
                if data.count == dets.count * image.height * image.width {
                    masks = BitmapMasks(height: image.height, width: image.width, data: data)
                }
            }
            let drawn = drawer.draw(on: image, boxes: boxes, labels: dets.map { set.label(ofCategory: $0.categoryId)! },
                                    scores: dets.map { Float($0.score) }, masks: masks)
            let path = (directory as NSString).appendingPathComponent(fileStem(imagePath: info.imgPath, ap: score.ap) + ".jpg")
            try ImageWriter.write(drawn, to: path)
            return path
        }
    }
}

extension ConfusionMatrix {
    /// The matrix of a whole test set: every image's ground truth (crowds included, as
    /// mmdetection's raw `instances`) against its detections.
    public init(_ set: TestSetResults, scoreThreshold: Double = 0.3, iouThreshold: Double = 0.5) {
        self.init(classes: set.dataset.classes, scoreThreshold: scoreThreshold, iouThreshold: iouThreshold)
        let byImage = set.detectionsByImage()
        for index in 0..<set.dataset.count {
            let info = set.dataset.info(index)
            let gt = info.instances.map { Box($0.bbox[0], $0.bbox[1], $0.bbox[2], $0.bbox[3], label: $0.label) }
            let dets = (byImage[info.imgId] ?? []).compactMap { d -> Box? in
                guard let label = set.label(ofCategory: d.categoryId) else { return nil }
                return Box(d.bbox.x, d.bbox.y, d.bbox.x + d.bbox.w, d.bbox.y + d.bbox.h, label: label, score: d.score)
            }
            add(groundTruth: gt, detections: dets)
        }
    }
}
