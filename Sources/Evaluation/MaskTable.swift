import Dispatch
import Foundation
import Structures

/// Masks of one side of an evaluation, flattened: all counts in one array (so the IoU loop
/// borrows one pointer), each mask's size and its toBbox box (which `rleIou` tests first).
/// Only masks that meet a mask of the other side (a bucket with both ground truth and
/// detections) are built; the others stay empty, as no IoU ever reads them.
struct MaskTable {
    var counts: [UInt32] = []
    var offsets: [Int] = [0]
    var heights: [Int] = []
    var widths: [Int] = []
    var boxes: [XYWH] = []

    /// `masks[j]` is nil for a mask that is not needed.
    init(_ masks: [(RLE, XYWH)?]) {
        counts.reserveCapacity(masks.reduce(0) { $0 + ($1?.0.counts.count ?? 0) })
        offsets.reserveCapacity(masks.count + 1)
        for entry in masks {
            if let (mask, box) = entry {
                counts.append(contentsOf: mask.counts)
                heights.append(mask.height)
                widths.append(mask.width)
                boxes.append(box)
            } else {
                heights.append(0)
                widths.append(0)
                boxes.append(XYWH(0, 0, 0, 0))
            }
            offsets.append(counts.count)
        }
        counts.append(0)  // a sentinel: `counts` is never empty, so its base address exists
    }

    /// The mask j as a view into `base` (the start of `counts`).
    @inline(__always)
    func view(_ j: Int, base: UnsafePointer<UInt32>) -> RLE.MaskView {
        RLE.MaskView(
            counts: UnsafeBufferPointer(start: base + offsets[j], count: offsets[j + 1] - offsets[j]),
            height: heights[j], width: widths[j], box: boxes[j])
    }

    /// `annToRLE` of the selected ground truth: polygons rasterized on their image, RLE as
    /// is. Every annotation is checked (as pycocotools converts them all): one without
    /// segmentation, with polygons pycocotools cannot read, or with an RLE that does not cover
    /// its size is an error; under `.strict` so is an RLE whose size differs from its image's.
    static func groundTruth(
        _ sources: [Int], needed: [Bool], groundTruth gt: CocoIndex, policy: ResultsPolicy
    ) throws -> MaskTable {
        let masks = try parallelMap(sources.count) { j -> (RLE, XYWH)? in
            let ann = gt.annotations[sources[j]]
            let name = "\(gt.path ?? "ground truth"): annotation id \(ann.id) (image \(ann.imageId))"
            guard let segmentation = ann.segmentation else {
                throw EvaluationError(.input, "\(name): no 'segmentation' (needed for segm evaluation)")
            }
            guard let image = gt.image(id: ann.imageId) else {
                throw EvaluationError(.input, "\(name): its image is not in the ground truth's images")
            }
            do {
                switch segmentation {
                case .polygons(let parts):
                    guard needed[j] else {
                        // What RLE(polygons:) would reject, without rasterizing.
                        if parts.isEmpty || parts[0].count <= 4 { _ = try RLE(polygons: parts, height: 1, width: 1) }
                        return nil
                    }
                    let mask = try RLE(polygons: parts, height: image.height, width: image.width)
                    return (mask, mask.boundingBox)
                case .rle(let mask):
                    try mask.validate()
                    if policy == .strict, mask.height != image.height || mask.width != image.width {
                        throw StructuresError(.mask, "RLE size [\(mask.height), \(mask.width)] differs from the image's [\(image.height), \(image.width)]")
                    }
                    return needed[j] ? (mask, mask.boundingBox) : nil
                }
            } catch let error as StructuresError {
                throw EvaluationError(.input, "\(name): \(error.message)")
            }
        }
        return MaskTable(masks)
    }

    /// `annToRLE` of the selected detections: RLE as is, polygons rasterized, and a box
    /// result without segmentation as its rectangle (the polygon `loadRes` gives it).
    static func detections(
        _ sources: [Int], needed: [Bool], results: CocoResults, groundTruth gt: CocoIndex
    ) throws -> MaskTable {
        let masks = try parallelMap(sources.count) { j -> (RLE, XYWH)? in
            let det = results.detections[sources[j]]
            guard let image = gt.image(id: det.imageId) else {
                throw EvaluationError(.input, "\(results.path ?? "results"): result \(sources[j]): image_id \(det.imageId) is not an image of the ground truth")
            }
            guard needed[j] else { return nil }
            let mask: RLE
            switch det.segmentation {
            case .rle(let rle)?: mask = rle
            case .polygons(let parts)?:
                do {
                    mask = try RLE(polygons: parts, height: image.height, width: image.width)
                } catch let error as StructuresError {
                    throw EvaluationError(.input, "\(results.path ?? "results"): result \(sources[j]): 'segmentation': \(error.message)")
                }
            case nil: mask = RLE(box: det.bbox, height: image.height, width: image.width)
            }
            return (mask, mask.boundingBox)
        }
        return MaskTable(masks)
    }
}

/// `(0..<count).map(transform)` on all cores, in order; the first error (by index) is thrown.
func parallelMap<T>(_ count: Int, _ transform: (Int) throws -> T) throws -> [T] {
    let chunks = count < 256 ? 1 : min(count / 128, ProcessInfo.processInfo.activeProcessorCount * 8)
    let per = (count + max(chunks, 1) - 1) / max(chunks, 1)
    var parts = [[T]](repeating: [], count: chunks)
    var failures = [(Int, Error)?](repeating: nil, count: chunks)
    withoutActuallyEscaping(transform) { transform in
        parts.withUnsafeMutableBufferPointer { out in
            failures.withUnsafeMutableBufferPointer { failed in
                let out = out, failed = failed
                let work = { (chunk: Int) in
                    var values: [T] = []
                    for j in (chunk * per)..<min(count, chunk * per + per) {
                        do { values.append(try transform(j)) } catch { failed[chunk] = (j, error); return }
                    }
                    out[chunk] = values
                }
                if chunks <= 1 { if chunks == 1 { work(0) } } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: work) }
            }
        }
    }
    if let first = failures.compactMap({ $0 }).min(by: { $0.0 < $1.0 }) { throw first.1 }
    return parts.flatMap { $0 }
}
