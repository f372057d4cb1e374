/// A COCO instances file in memory: images and annotations in file order, categories sorted
/// by id, and the lookups pycocotools' `COCO` offers (image by id, annotations of an image or
/// a category). Reading: `CocoIndex(contentsOf:)` (CocoIndexReader.swift).
public struct CocoIndex: Sendable {
    /// The file it was read from, for messages (nil when built in memory).
    public let path: String?
    public let images: [CocoImage]
    public let categories: [CocoCategory]
    public let annotations: [CocoAnnotation]

    private let imagePositions: [Int: Int]
    private let categoryPositions: [Int: Int]
    private let byImage: Buckets
    private let byCategory: Buckets

    /// Indexes the given entries; throws on a duplicate image or category id. Categories are
    /// sorted by id (stable); annotations of unknown images or categories are kept but are in
    /// no per-image (per-category) list.
    public init(images: [CocoImage], categories: [CocoCategory], annotations: [CocoAnnotation], path: String? = nil) throws {
        self.path = path
        self.images = images
        self.categories = categories.enumerated().sorted {
            $0.element.id != $1.element.id ? $0.element.id < $1.element.id : $0.offset < $1.offset
        }.map(\.element)
        self.annotations = annotations
        imagePositions = try CocoIndex.positions(images.map(\.id), what: "image", path: path)
        categoryPositions = try CocoIndex.positions(self.categories.map(\.id), what: "category", path: path)
        let positions = imagePositions, categoryPositions = categoryPositions
        byImage = Buckets(count: images.count, keys: annotations.map { positions[$0.imageId] ?? -1 })
        byCategory = Buckets(count: self.categories.count, keys: annotations.map { categoryPositions[$0.categoryId] ?? -1 })
    }

    private static func positions(_ ids: [Int], what: String, path: String?) throws -> [Int: Int] {
        var positions = [Int: Int](minimumCapacity: ids.count)
        for (position, id) in ids.enumerated() {
            if let earlier = positions.updateValue(position, forKey: id) {
                throw StructuresError(.format, "\(what) id \(id) appears twice (entries \(earlier) and \(position))", file: path)
            }
        }
        return positions
    }

    /// Position of the image with this id in `images`.
    public func imageIndex(id: Int) -> Int? { imagePositions[id] }
    public func image(id: Int) -> CocoImage? { imagePositions[id].map { images[$0] } }

    /// Position of the category with this id in `categories` (sorted by id): the 0-based label
    /// mmdetection gives it.
    public func categoryIndex(id: Int) -> Int? { categoryPositions[id] }
    public func category(id: Int) -> CocoCategory? { categoryPositions[id].map { categories[$0] } }

    /// All image ids, ascending (COCOeval's `imgIds`).
    public var sortedImageIds: [Int] { images.map(\.id).sorted() }

    /// Indices into `annotations` of the image's annotations, in file order (empty for an
    /// unknown image).
    public func annotationIndices(imageId: Int) -> ArraySlice<Int> {
        guard let position = imagePositions[imageId] else { return [] }
        return byImage[position]
    }

    /// Indices into `annotations` of the category's annotations, in file order.
    public func annotationIndices(categoryId: Int) -> ArraySlice<Int> {
        guard let position = categoryPositions[categoryId] else { return [] }
        return byCategory[position]
    }

    /// The image's annotations, in file order.
    public func annotations(imageId: Int) -> [CocoAnnotation] {
        annotationIndices(imageId: imageId).map { annotations[$0] }
    }
}

/// Items grouped by a small integer key, each group in item order (counting sort).
struct Buckets: Sendable {
    let offsets: [Int]
    let items: [Int]

    /// `keys[i]` is item i's group in `0..<count`, or -1 for none.
    init(count: Int, keys: [Int]) {
        var offsets = [Int](repeating: 0, count: count + 1)
        for key in keys where key >= 0 { offsets[key + 1] += 1 }
        for i in 0..<count { offsets[i + 1] += offsets[i] }
        var fill = offsets
        var items = [Int](repeating: 0, count: offsets[count])
        for (item, key) in keys.enumerated() where key >= 0 {
            items[fill[key]] = item
            fill[key] += 1
        }
        self.offsets = offsets
        self.items = items
    }

    subscript(group: Int) -> ArraySlice<Int> { items[offsets[group]..<offsets[group + 1]] }
}
