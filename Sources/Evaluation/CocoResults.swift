import Dispatch
import Structures

/// One detection after pycocotools' `loadRes`: `area` and `bbox` filled in by its rules
/// (see `CocoResults`). `segmentation` is nil for a box result without one (segm evaluation
/// then uses the box's rectangle, as `loadRes` does).
public struct CocoDetection: Hashable, Sendable {
    public var imageId: Int
    public var categoryId: Int
    public var score: Double
    public var bbox: XYWH
    public var area: Double
    public var segmentation: CocoSegmentation?

    public init(imageId: Int, categoryId: Int, score: Double, bbox: XYWH, area: Double, segmentation: CocoSegmentation? = nil) {
        self.imageId = imageId; self.categoryId = categoryId; self.score = score
        self.bbox = bbox; self.area = area; self.segmentation = segmentation
    }
}

/// What to do with results pycocotools tolerates silently.
public enum ResultsPolicy: Sendable {
    /// Reject them: a category that is not in the ground truth, or a mask whose size differs
    /// from its image's, is an error naming the file and the entry (almost always a bug in
    /// whatever wrote the results).
    case strict
    /// Accept them as pycocotools does: unknown categories are never evaluated, a mask of
    /// another size never matches (its IoU is -1).
    case pycocotools
}

/// A detection results list read as `COCO.loadRes` reads it. The *first* result picks the
/// rule for all: with a non-empty `bbox`, every result needs a `bbox`, gets `area = w * h`
/// (even in segm evaluation) and keeps its `segmentation` if any; otherwise every result
/// needs a `segmentation` (RLE; polygons are rasterized on the image), gets its mask's area,
/// and its `bbox` is the mask's box unless given. Results are numbered 1...N in file order
/// (the tie-break order of equal scores).
public struct CocoResults: Sendable {
    public let detections: [CocoDetection]
    /// The file, for messages (nil when built in memory).
    public let path: String?

    /// Detections already in loadRes form (no checks).
    public init(detections: [CocoDetection], path: String? = nil) {
        self.detections = detections
        self.path = path
    }

    /// Reads a results file. Errors (`EvaluationError`, naming the file and `results[i]`): not
    /// a JSON list, an empty list, a missing or mistyped key, an image that is not in the
    /// ground truth, a mask that cannot be decoded, and under `.strict` an unknown category or
    /// a mask of the wrong size.
    public init(contentsOf path: String, groundTruth: CocoIndex, policy: ResultsPolicy = .strict) throws {
        let text = try rethrowingInput { try JSONText(contentsOf: path) }
        try self.init(text: text, groundTruth: groundTruth, policy: policy)
    }

    /// Reads with simdjson, and again with json-c if that fails, for an error that says where
    /// (as `CocoIndex(text:)`).
    public init(text: JSONText, groundTruth: CocoIndex, policy: ResultsPolicy = .strict) throws {
        self = try (try? CocoResults(text: text, groundTruth: groundTruth, policy: policy, parser: SimdJSONParser.self))
            ?? CocoResults(text: text, groundTruth: groundTruth, policy: policy, parser: JSONElementParser.self)
    }

    /// Reads with one parser only, no second try.
    public init<Parser: JSONBatchParser>(text: JSONText, groundTruth: CocoIndex, policy: ResultsPolicy = .strict, parser: Parser.Type) throws {
        let spans: [Range<Int>] = try rethrowingInput {
            let top = try text.topLevelSpan()
            guard text.byte(at: top.lowerBound) == UInt8(ascii: "[") else {
                throw StructuresError(.format, "\(text.position(top.lowerBound)): results must be a JSON list of detections [{...}, ...]", file: text.path)
            }
            return try text.arrayElements(top.lowerBound).elements
        }
        guard let first = spans.first else {
            throw EvaluationError(.input, "\(text.path): the results list is empty (pycocotools cannot load it either)")
        }
        let boxRule = try rethrowingInput {
            try JSONElementParser(text).withValue(first) { value -> Bool in
                let entry = JSONEntry(value, text: text, offset: first.lowerBound, array: "results", index: 0)
                try entry.requireObject()
                if try entry.box(emptyIsAbsent: true) != nil { return true }
                guard value.member("segmentation") != nil else {
                    throw entry.error("a result needs a 'bbox' or a 'segmentation'")
                }
                return false
            }
        }
        let reader = ResultReader(groundTruth: groundTruth, policy: policy, boxRule: boxRule)
        var chunks = try rethrowingInput { try reader.read(text, spans, parser) }
        // The masks' arrays are made once the parser is done (see SegmentationStore).
        chunks.withUnsafeMutableBufferPointer { chunks in
            let chunks = chunks
            DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
                for i in chunks[c].detections.indices {
                    chunks[c].detections[i].segmentation = chunks[c].store.segmentation(chunks[c].staged[i])
                }
                chunks[c].staged = []
                chunks[c].store = SegmentationStore()
            }
        }
        detections = chunks.count == 1 ? chunks[0].detections : chunks.flatMap(\.detections)
        path = text.path
    }
}

/// The per-result part of `loadRes`, shared by the reading threads.
struct ResultReader: Sendable {
    let groundTruth: CocoIndex
    let policy: ResultsPolicy
    let boxRule: Bool

    /// Detections of consecutive results, their masks staged in one store.
    struct Chunk {
        var detections: [CocoDetection] = []
        var staged: [StagedSegmentation] = []
        var store = SegmentationStore()
    }

    func read<Parser: JSONBatchParser>(_ text: JSONText, _ spans: [Range<Int>], _ parser: Parser.Type) throws -> [Chunk] {
        try ParallelSpans.fold(parser, text, spans, initial: { Chunk() }) { chunk, value, i in
            try read(JSONEntry(value, text: text, offset: spans[i].lowerBound, array: "results", index: i), into: &chunk)
        }
    }

    func read(_ entry: JSONEntry<some JSONReadable>, into chunk: inout Chunk) throws {
        try entry.requireObject()
        let imageId = try entry.int("image_id")
        guard let image = groundTruth.image(id: imageId) else {
            throw entry.error("image_id \(imageId) is not an image of the ground truth")
        }
        let categoryId = try entry.int("category_id")
        if policy == .strict, groundTruth.category(id: categoryId) == nil {
            throw entry.error("category_id \(categoryId) is not a category of the ground truth (pycocotools would silently ignore the result)")
        }
        let score = try entry.double("score")
        if policy == .strict, !score.isFinite {
            throw entry.error("score \(score) is not a finite number (pycocotools would rank it silently; --lenient to accept)")
        }
        var staged = try entry.segmentation(into: &chunk.store)
        if case .rle(let h, let w, let range) = staged {
            if policy == .strict, h != image.height || w != image.width {
                throw entry.error(
                    "mask size [\(h), \(w)] differs from image \(imageId)'s [\(image.height), \(image.width)] (pycocotools would let it silently never match)")
            }
            let covered = chunk.store.withCounts(range) { $0.reduce(0) { $0 + Int($1) } }
            guard covered == h * w else {
                throw entry.error("'segmentation': RLE counts cover \(covered) pixels, but its size [\(h), \(w)] has \(h * w)")
            }
        }
        if boxRule {
            guard let box = try entry.box() else { throw entry.error("missing key 'bbox' (the first result has one, so all need one)") }
            if policy == .strict, ![box.x, box.y, box.w, box.h].allSatisfy(\.isFinite) {
                throw entry.error("bbox [\(box.x), \(box.y), \(box.w), \(box.h)] is not finite (--lenient to accept)")
            }
            chunk.detections.append(CocoDetection(imageId: imageId, categoryId: categoryId, score: score, bbox: box, area: box.w * box.h))
            chunk.staged.append(staged)
            return
        }
        if case .polygons = staged {
            // Rare: a mask result given as polygons is rasterized on its image now.
            do {
                let mask = try chunk.store.segmentation(staged)!.rle(height: image.height, width: image.width)
                let first = chunk.store.counts.count
                chunk.store.counts.append(contentsOf: mask.counts)
                staged = .rle(height: mask.height, width: mask.width, counts: first..<chunk.store.counts.count)
            } catch let error as StructuresError {
                throw entry.error("'segmentation': \(error.message)")
            }
        }
        guard case .rle(let h, let w, let range) = staged else {
            throw entry.error("missing key 'segmentation' (the first result has no 'bbox', so all need a mask)")
        }
        let (area, maskBox) = chunk.store.withCounts(range) { counts in
            (RLE.foreground(counts), RLE.boundingBox(counts: counts, height: h, width: w))
        }
        let box = try entry.box(emptyIsAbsent: true) ?? maskBox
        chunk.detections.append(CocoDetection(imageId: imageId, categoryId: categoryId, score: score, bbox: box, area: Double(area)))
        chunk.staged.append(staged)
    }
}
