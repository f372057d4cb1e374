import Config
import Datasets
import Evaluation
import Foundation
import Structures

/// mmdetection's `CocoMetric` evaluator: the detections of a val/test run evaluated against
/// `ann_file` for each of `metric` ('bbox', 'segm'), logged as `coco/bbox_mAP`,
/// `coco/bbox_mAP_50`, ... (3 decimals, as mmdetection rounds them), optionally with the
/// per-category table (`classwise`), and written as results JSON with `outfile_prefix`.
public struct CocoMetric: Metric {
    public let annotationFile: String
    public let metrics: [CocoEvalParams.IoUType]
    public let classwise: Bool
    public let formatOnly: Bool
    public let outfilePrefix: String?
    public let groundTruth: CocoIndex

    /// The six AP names mmdetection logs, in stats order.
    public static let apNames = ["mAP", "mAP_50", "mAP_75", "mAP_s", "mAP_m", "mAP_l"]

    public typealias Result = MetricResult

    public init(annotationFile: String, metrics: [CocoEvalParams.IoUType], classwise: Bool = false,
                formatOnly: Bool = false, outfilePrefix: String? = nil) throws {
        self.annotationFile = annotationFile
        self.metrics = metrics
        self.classwise = classwise
        self.formatOnly = formatOnly
        self.outfilePrefix = outfilePrefix
        groundTruth = try CocoDataset.readIndex(annotationFile)
    }

    /// From `val_evaluator` / `test_evaluator` (`dict(type='CocoMetric', ann_file=..., metric=...)`).
    /// A relative ann_file is taken as given (mmdetection's configs spell data_root into it).
    public init(config c: ConfigView) throws {
        try c.accept(["type", "ann_file", "metric", "classwise", "format_only", "outfile_prefix", "backend_args",
                      "proposal_nums", "iou_thrs", "metric_items", "sort_categories", "use_mp_eval", "collect_device", "prefix"])
        let type = try c.typeName ?? c.string("type")
        guard type == "CocoMetric" else { throw c.error("type", "unsupported evaluator '\(type)' (SwiftDet has CocoMetric)") }
        for key in ["proposal_nums", "iou_thrs", "metric_items", "prefix"] where c.contains(key) && !(c.value(key)?.isNone ?? true) {
            throw c.error(key, "\(key) is not supported (mmdetection's defaults are used)")
        }
        let names: [String] = try c.value("metric").flatMap { $0.stringValue.map { [$0] } } ?? c.strings("metric")
        let kinds = try names.map { name -> CocoEvalParams.IoUType in
            switch name {
            case "bbox": return .bbox
            case "segm": return .segm
            default: throw c.error("metric", "expected 'bbox' and/or 'segm', got '\(name)' (proposal_fast and keypoints are not supported)")
            }
        }
        let annFile = try c.string("ann_file")
        do {
            try self.init(annotationFile: annFile, metrics: kinds, classwise: try c.bool("classwise", default: false),
                          formatOnly: try c.bool("format_only", default: false), outfilePrefix: try c.optionalString("outfile_prefix"))
        } catch let e as StructuresError {
            throw c.error("ann_file", "cannot read the annotations: \(e.description)")
        }
    }

    /// Results files (`<prefix>.bbox.json`, `<prefix>.segm.json`), then the evaluation of each
    /// metric. With `formatOnly`, only the files are written (mmdetection's test-dev use).
    public func evaluate(_ records: [DetectionRecord]) throws -> Result {
        if let outfilePrefix {
            for kind in metrics {
                let list = kind == .bbox ? records.map { var r = $0; r.mask = nil; return r } : records
                try ResultsWriter.write(list, to: "\(outfilePrefix).\(kind.rawValue).json")
            }
        }
        if formatOnly { return Result(metrics: [], text: "results written to \(outfilePrefix ?? "?").*.json (format_only)") }
        var out: [(String, Double)] = []
        var text: [String] = []
        var stats: [CocoEvalParams.IoUType: [Double]] = [:]
        for kind in metrics {
            text.append("Evaluating \(kind.rawValue)...")
            guard !records.isEmpty else {
                // pycocotools cannot load an empty results list; mmdetection logs and reports nothing.
                text.append("The testing results of the whole dataset is empty.")
                for name in Self.apNames { out.append(("coco/\(kind.rawValue)_\(name)", 0)) }
                continue
            }
            let results = try CocoResults(detections: detections(records, kind), path: nil)
            let accumulation = try CocoEval(groundTruth: groundTruth, results: results, params: CocoEvalParams(iouType: kind))
                .evaluate().accumulate()
            let summary = try accumulation.summarize()
            stats[kind] = summary.stats
            text.append(summary.text)
            if classwise {
                let names = Dictionary(groundTruth.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
                text.append(ClasswiseTable.render(accumulation.perCategory(names: names)))
            }
            for (i, name) in Self.apNames.enumerated() {
                out.append(("coco/\(kind.rawValue)_\(name)", (summary.stats[i] * 1000).rounded() / 1000))
            }
            let copy = summary.stats.prefix(6).map { String(format: "%.3f", $0) }.joined(separator: " ")
            text.append("\(kind.rawValue)_mAP_copypaste: \(copy)")
        }
        return Result(metrics: out, text: text.joined(separator: "\n"), stats: stats)
    }

    /// loadRes forms: boxes with area w*h; masks without the box (mmdetection drops it), so
    /// area and box come from the RLE.
    private func detections(_ records: [DetectionRecord], _ kind: CocoEvalParams.IoUType) throws -> [CocoDetection] {
        try records.enumerated().map { i, r in
            guard groundTruth.image(id: r.imageId) != nil else {
                throw EvaluationError(.input, "detection \(i): image_id \(r.imageId) is not an image of \(annotationFile)")
            }
            if kind == .bbox {
                return CocoDetection(imageId: r.imageId, categoryId: r.categoryId, score: r.score, bbox: r.bbox,
                                     area: r.bbox.w * r.bbox.h)
            }
            guard let mask = r.mask else {
                throw EvaluationError(.input, "detection \(i): segm evaluation needs masks (is the model a MaskRCNN?)")
            }
            return CocoDetection(imageId: r.imageId, categoryId: r.categoryId, score: r.score, bbox: mask.boundingBox,
                                 area: Double(mask.area), segmentation: .rle(mask))
        }
    }
}
