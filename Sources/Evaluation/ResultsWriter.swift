import Foundation
import Structures

/// One detection of ours, as mmdetection's `results2json` writes it: a box `[x, y, w, h]`, a
/// score, and optionally a mask (written as compressed RLE with its size).
public struct DetectionRecord: Hashable, Sendable {
    public var imageId: Int
    public var categoryId: Int
    public var bbox: XYWH
    public var score: Double
    public var mask: RLE?

    public init(imageId: Int, categoryId: Int, bbox: XYWH, score: Double, mask: RLE? = nil) {
        self.imageId = imageId; self.categoryId = categoryId; self.bbox = bbox; self.score = score; self.mask = mask
    }
}

extension CocoResults {
    /// Our detections as `loadRes` would read them back from the file `write` makes: every
    /// record has a box, so the box rule applies (area = w * h). Same checks as reading a file.
    public init(records: [DetectionRecord], groundTruth: CocoIndex, policy: ResultsPolicy = .strict) throws {
        var detections: [CocoDetection] = []
        detections.reserveCapacity(records.count)
        for (i, record) in records.enumerated() {
            guard let image = groundTruth.image(id: record.imageId) else {
                throw EvaluationError(.input, "detection \(i): image_id \(record.imageId) is not an image of the ground truth")
            }
            if policy == .strict, groundTruth.category(id: record.categoryId) == nil {
                throw EvaluationError(.input, "detection \(i): category_id \(record.categoryId) is not a category of the ground truth")
            }
            if let mask = record.mask, policy == .strict, mask.height != image.height || mask.width != image.width {
                throw EvaluationError(.input, "detection \(i): mask size [\(mask.height), \(mask.width)] differs from image \(image.id)'s [\(image.height), \(image.width)]")
            }
            detections.append(CocoDetection(
                imageId: record.imageId, categoryId: record.categoryId, score: record.score, bbox: record.bbox,
                area: record.bbox.w * record.bbox.h, segmentation: record.mask.map { .rle($0) }))
        }
        self.init(detections: detections)
    }
}

/// Writes detection results JSON atomically: the text goes to a temporary file beside the
/// target, is flushed to disk, and is renamed over the target, so a reader never sees half a
/// file and a crash leaves the old file intact.
public enum ResultsWriter {
    public static func write(_ records: [DetectionRecord], to path: String) throws {
        try writeAtomically(json(records), to: path)
    }

    /// The results list as JSON text (numbers in shortest round-trip form, so reading the file
    /// back gives the same doubles).
    public static func json(_ records: [DetectionRecord]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(records.count * 120)
        out.append(UInt8(ascii: "["))
        for (i, r) in records.enumerated() {
            if i > 0 { out.append(contentsOf: Array(", ".utf8)) }
            var item = "{\"image_id\": \(r.imageId), \"bbox\": [\(number(r.bbox.x)), \(number(r.bbox.y)), "
            item += "\(number(r.bbox.w)), \(number(r.bbox.h))], \"score\": \(number(r.score)), \"category_id\": \(r.categoryId)"
            if let mask = r.mask {
                let counts = mask.compressedCounts.replacingOccurrences(of: "\\", with: "\\\\")
                item += ", \"segmentation\": {\"size\": [\(mask.height), \(mask.width)], \"counts\": \"\(counts)\"}"
            }
            item += "}"
            out.append(contentsOf: Array(item.utf8))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// A double as Python's `json` writes it (`NaN`, `Infinity` for non-finite values).
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        return "\(value)"
    }

    /// Temporary file in the same directory, fsync, rename (Structures' AtomicFile).
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        do { try AtomicFile.write(bytes, to: path) } catch let f as AtomicFile.Failure {
            throw EvaluationError(.io, f.description)
        }
    }
}
