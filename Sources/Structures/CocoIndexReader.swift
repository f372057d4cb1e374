import Dispatch

/// Reading a COCO instances file: the top-level object is split into members by a byte scan,
/// the `images`, `annotations` and `categories` arrays into elements, and every element is
/// parsed by json-c on its own, on all cores, straight into the Swift types (no DOM of the
/// whole file). Other members (`info`, `licenses`, ...) are checked to be valid JSON and
/// dropped. A missing array is empty, as in pycocotools.
extension CocoIndex {
    public init(contentsOf path: String) throws {
        try self.init(text: try JSONText(contentsOf: path))
    }

    public init(text: JSONText) throws {
        let top = try text.topLevelSpan()
        guard text.base[top.lowerBound] == 123 else {
            throw text.error(.format, "a COCO file is a JSON object ({\"images\": ..., \"annotations\": ...})", at: top.lowerBound)
        }
        var arrays: [String: [Range<Int>]] = [:]
        let parser = JSONElementParser(text)
        for (key, span) in try text.objectMembers(top.lowerBound).members {
            switch key {
            case "images", "annotations", "categories":
                guard text.base[span.lowerBound] == 91 else {
                    throw text.error(.format, "'\(key)' must be an array", at: span.lowerBound)
                }
                arrays[key] = try text.arrayElements(span.lowerBound).elements
            default:
                try parser.withValue(span) { _ in }
            }
        }
        let images = try ParallelSpans.map(text, arrays["images"] ?? []) { value, i in
            try CocoIndex.image(JSONEntry(value, text: text, offset: arrays["images"]![i].lowerBound, array: "images", index: i))
        }
        let categories = try ParallelSpans.map(text, arrays["categories"] ?? []) { value, i in
            try CocoIndex.category(JSONEntry(value, text: text, offset: arrays["categories"]![i].lowerBound, array: "categories", index: i))
        }
        let annotations = try CocoIndex.annotations(text, arrays["annotations"] ?? [])
        try self.init(images: images, categories: categories, annotations: annotations, path: text.path)
    }

    /// Annotations in two passes: json-c values are read into compact per-chunk buffers (a
    /// `SegmentationStore` per chunk), then the per-annotation arrays are made (half the CPU
    /// time of one pass on a 631 MB file).
    static func annotations(_ text: JSONText, _ spans: [Range<Int>]) throws -> [CocoAnnotation] {
        struct Chunk {
            var heads: [CocoAnnotation] = []
            var staged: [StagedSegmentation] = []
            var store = SegmentationStore()
        }
        var chunks = try ParallelSpans.fold(text, spans, initial: { Chunk() }) { chunk, value, i in
            var entry = JSONEntry(value, text: text, offset: spans[i].lowerBound, array: "annotations", index: i)
            try entry.requireObject()
            let id = try entry.int("id")
            entry.withId(id)
            guard let bbox = try entry.box() else { throw entry.error("missing key 'bbox'") }
            chunk.heads.append(CocoAnnotation(
                id: id, imageId: try entry.int("image_id"), categoryId: try entry.int("category_id"),
                bbox: bbox, area: try entry.double("area"), isCrowd: try entry.flag("iscrowd"),
                ignore: try entry.flag("ignore")))
            chunk.staged.append(try entry.segmentation(into: &chunk.store))
        }
        chunks.withUnsafeMutableBufferPointer { chunks in
            let chunks = chunks
            DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
                for i in chunks[c].heads.indices {
                    chunks[c].heads[i].segmentation = chunks[c].store.segmentation(chunks[c].staged[i])
                }
                chunks[c].staged = []
                chunks[c].store = SegmentationStore()
            }
        }
        if chunks.count == 1 { return chunks[0].heads }
        var all: [CocoAnnotation] = []
        all.reserveCapacity(spans.count)
        for chunk in chunks { all.append(contentsOf: chunk.heads) }
        return all
    }

    static func image(_ entry: JSONEntry) throws -> CocoImage {
        var entry = entry
        try entry.requireObject()
        let id = try entry.int("id")
        entry.withId(id)
        return CocoImage(
            id: id, fileName: try entry.optionalString("file_name") ?? "",
            width: try entry.optionalInt("width") ?? 0, height: try entry.optionalInt("height") ?? 0)
    }

    static func category(_ entry: JSONEntry) throws -> CocoCategory {
        var entry = entry
        try entry.requireObject()
        let id = try entry.int("id")
        entry.withId(id)
        return CocoCategory(
            id: id, name: try entry.optionalString("name") ?? "",
            supercategory: try entry.optionalString("supercategory") ?? "")
    }
}
