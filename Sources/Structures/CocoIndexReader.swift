
/// Reading a COCO instances file: the top-level object is split into members by a byte scan
/// that splits the `images`, `annotations` and `categories` arrays into elements in the same
/// pass, and the elements are
/// parsed in batches, on all cores, straight into the Swift types (no DOM of the whole file).
/// simdjson parses first; if anything fails, json-c reads the file again for an error that
/// names the line:column, the entry and the key. Other members (`info`, `licenses`, ...) must
/// be valid JSON and are dropped. A missing array is empty, as in pycocotools.
extension CocoIndex {
    public init(contentsOf path: String) throws {
        try self.init(text: try JSONText(contentsOf: path))
    }

    public init(text: JSONText) throws {
        let entries = try (try? CocoIndex.entries(text, SimdJSONParser.self)) ?? CocoIndex.entries(text, JSONElementParser.self)
        try self.init(images: entries.images, categories: entries.categories, annotations: entries.annotations, path: text.path)
    }

    /// Reads with one parser only, no second try (tests compare the two; simdjson's errors do
    /// not say where).
    public init<Parser: JSONBatchParser>(text: JSONText, parser: Parser.Type) throws {
        let entries = try CocoIndex.entries(text, parser)
        try self.init(images: entries.images, categories: entries.categories, annotations: entries.annotations, path: text.path)
    }

    static func entries<Parser: JSONBatchParser>(_ text: JSONText, _ parser: Parser.Type) throws
        -> (images: [CocoImage], categories: [CocoCategory], annotations: [CocoAnnotation])
    {
        guard let members = try text.topLevelMembers(splitting: ["images", "annotations", "categories"]) else {
            throw text.error(.format, "a COCO file is a JSON object ({\"images\": ..., \"annotations\": ...})", at: text.skipSpace(0))
        }
        var arrays: [String: [Range<Int>]] = [:]
        var others: [Range<Int>] = []
        for (key, span, elements) in members {
            switch key {
            case "images", "annotations", "categories":
                guard let elements else { throw text.error(.format, "'\(key)' must be an array", at: span.lowerBound) }
                arrays[key] = elements
            default:
                others.append(span)
            }
        }
        let check = Parser(text)
        for span in others { try check.withElements([span]) { _, _ in } }
        let images = try ParallelSpans.map(parser, text, arrays["images"] ?? []) { value, i in
            try CocoIndex.image(JSONEntry(value, text: text, offset: arrays["images"]![i].lowerBound, array: "images", index: i))
        }
        let categories = try ParallelSpans.map(parser, text, arrays["categories"] ?? []) { value, i in
            try CocoIndex.category(JSONEntry(value, text: text, offset: arrays["categories"]![i].lowerBound, array: "categories", index: i))
        }
        let spans = arrays["annotations"] ?? []
        let chunks = try ParallelSpans.fold(parser, text, spans, initial: { AnnotationChunk() }) { chunk, value, i in
            try chunk.read(JSONEntry(value, text: text, offset: spans[i].lowerBound, array: "annotations", index: i))
        }
        return (images, categories, chunks.count == 1 ? chunks[0].annotations : chunks.flatMap(\.annotations))
    }

    /// Annotations of consecutive elements, each polygon part read straight into its array.
    struct AnnotationChunk {
        var annotations: [CocoAnnotation] = []

        mutating func read(_ entry: JSONEntry<some JSONReadable>) throws {
            var entry = entry
            try entry.requireObject()
            let id = try entry.int("id")
            entry.withId(id)
            guard let bbox = try entry.box() else { throw entry.error("missing key 'bbox'") }
            annotations.append(CocoAnnotation(
                id: id, imageId: try entry.int("image_id"), categoryId: try entry.int("category_id"),
                bbox: bbox, area: try entry.double("area"), isCrowd: try entry.flag("iscrowd"),
                ignore: try entry.flag("ignore"), segmentation: try entry.segmentation()))
        }
    }

    static func image(_ entry: JSONEntry<some JSONReadable>) throws -> CocoImage {
        var entry = entry
        try entry.requireObject()
        let id = try entry.int("id")
        entry.withId(id)
        let width = try entry.optionalInt("width") ?? 0, height = try entry.optionalInt("height") ?? 0
        guard (0...CocoImage.maxSide).contains(width), (0...CocoImage.maxSide).contains(height) else {
            throw entry.error("width \(width) and height \(height) are not allowed: expected each from 0 to \(CocoImage.maxSide)")
        }
        return CocoImage(id: id, fileName: try entry.optionalString("file_name") ?? "", width: width, height: height)
    }

    static func category(_ entry: JSONEntry<some JSONReadable>) throws -> CocoCategory {
        var entry = entry
        try entry.requireObject()
        let id = try entry.int("id")
        entry.withId(id)
        return CocoCategory(
            id: id, name: try entry.optionalString("name") ?? "",
            supercategory: try entry.optionalString("supercategory") ?? "")
    }
}
