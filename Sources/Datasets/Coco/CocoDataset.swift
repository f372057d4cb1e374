import Config
import Foundation
import Kernels
import Structures

/// mmdetection's `CocoDataset` (3.x): the images of a COCO instances file with their usable
/// annotations (reference §4 "COCO parsing"), filtered for training, each turned into a packed
/// sample by the pipeline. Labels follow `metainfo.classes` when given (in that order), else
/// the file's categories sorted by id.
///
/// Bad input is an error naming the file and the entry. `on_bad_sample='skip'` (a SwiftDet
/// key, default 'error') turns per-sample problems into logged warnings instead: an image that
/// is missing or does not decode is skipped by the loader, and degenerate polygons are handled
/// as mmdetection does (the part dropped; an instance with none left ignored). Problems of the
/// whole file (malformed JSON, an annotation naming an unknown image or category, duplicate
/// ids, an unknown class name) are always errors.
public final class CocoDataset: Sendable {
    public let annotationFile: String
    public let imagePrefix: String
    /// Class names, label order.
    public let classes: [String]
    /// Category ids, label order.
    public let categoryIds: [Int]
    /// `metainfo.palette`: an RGB colour per label for drawing, when the config gives one.
    public let palette: [[UInt8]]?
    public let testMode: Bool
    public let onBadSample: BadSamplePolicy
    public let pipeline: Pipeline
    /// The images after filtering (and `indices`), in annotation-file order.
    public let dataList: [DataInfo]

    public var count: Int { dataList.count }
    public func info(_ i: Int) -> DataInfo { dataList[i] }

    /// Options of `filter_cfg` (training only; `nil` keeps every image).
    public struct Filter: Sendable {
        public var filterEmptyGT: Bool
        public var minSize: Int
        public init(filterEmptyGT: Bool = false, minSize: Int = 0) {
            self.filterEmptyGT = filterEmptyGT
            self.minSize = minSize
        }
    }

    /// mmengine's `indices`: the first n images (all of them when there are fewer), or the
    /// images at these positions.
    public enum Subset: Sendable {
        case first(Int)
        case items([Int])
    }

    /// Reads `annotationFile` (or uses `index`, already read from it) and builds the list.
    public init(
        annotationFile: String, imagePrefix: String, classes: [String]? = nil, filter: Filter? = nil,
        testMode: Bool = false, indices: Subset? = nil, pipeline: Pipeline, onBadSample: BadSamplePolicy = .error,
        index: CocoIndex? = nil, palette: [[UInt8]]? = nil, warn: @Sendable (String) -> Void = DataLoader.standardError
    ) throws {
        let coco = try index ?? Self.readIndex(annotationFile)
        try CocoValidation.check(coco, file: annotationFile)
        let (names, ids) = try Self.selectCategories(coco, classes: classes, file: annotationFile)
        var dropped: (count: Int, first: Int?) = (0, nil)
        var list = try CocoParsing.dataList(coco, categoryIds: ids, imagePrefix: imagePrefix, file: annotationFile, dropped: &dropped)
        if dropped.count > 0 {
            warn("\(annotationFile): \(dropped.count) annotations dropped as mmdetection drops them (box under 1 pixel, "
                 + "zero, negative or non-finite size or area, or outside its image; the first is annotation id \(dropped.first ?? 0))")
        }
        let before = list.count
        if !testMode, let filter { list = CocoParsing.filtered(list, coco, categoryIds: ids, filter) }
        guard !list.isEmpty else {
            throw DatasetError.malformedAnnotations(file: annotationFile, reason: before == 0
                ? "the file lists no images"
                : "no image is left of \(before) after filter_cfg (filter_empty_gt=\(filter?.filterEmptyGT ?? false), "
                  + "min_size=\(filter?.minSize ?? 0)): no annotation of the chosen classes (\(names.prefix(5).joined(separator: ", ")))")
        }
        switch indices {
        case nil: break
        case .first(let n)?: list = Array(list.prefix(n))
        case .items(let items)?:
            list = try items.map { i in
                guard list.indices.contains(i) else { throw DatasetError.pipeline("indices: \(i) is outside 0..<\(list.count)") }
                return list[i]
            }
        }
        try Self.checkImagesExist(list, imagePrefix: imagePrefix, file: annotationFile, strict: onBadSample == .error, warn: warn)
        if pipeline.loadsMasks {
            try CocoValidation.checkPolygons(list, file: annotationFile, strict: onBadSample == .error, warn: warn)
        }
        self.annotationFile = annotationFile
        self.imagePrefix = imagePrefix
        self.classes = names
        self.categoryIds = ids
        self.palette = palette
        self.testMode = testMode
        self.onBadSample = onBadSample
        self.pipeline = pipeline
        self.dataList = list
    }

    /// The packed sample of item `i`, its random steps drawn from `rng`.
    public func sample(_ i: Int, rng: inout SeededGenerator) throws -> PackedSample {
        try pipeline.run(dataList[i], rng: &rng)
    }

    /// Every image file the list names exists (checked when the dataset is built, not when its
    /// batch comes): the missing ones are counted and the first few named; with
    /// `on_bad_sample='skip'` that is a warning and the loader skips them.
    static func checkImagesExist(_ list: [DataInfo], imagePrefix: String, file: String, strict: Bool,
                                 warn: @Sendable (String) -> Void) throws {
        let missing = list.filter { !FileManager.default.fileExists(atPath: $0.imgPath) }
        guard !missing.isEmpty else { return }
        let relative = imagePrefix.hasPrefix("/") ? "" : " (relative to the working directory \(FileManager.default.currentDirectoryPath))"
        let message = "\(missing.count) of the \(list.count) images it names are not under '\(imagePrefix)'\(relative): "
            + missing.prefix(3).map { ($0.imgPath as NSString).lastPathComponent }.joined(separator: ", ") + (missing.count > 3 ? ", ..." : "")
        guard strict else {
            warn("\(file): \(message); they are skipped (on_bad_sample='skip')")
            return
        }
        throw DatasetError.malformedAnnotations(file: file, reason: message + " (check data_root and data_prefix.img)")
    }

    /// Reads a COCO file through the Structures index, as a `DatasetError` on failure.
    public static func readIndex(_ file: String) throws -> CocoIndex {
        guard FileManager.default.fileExists(atPath: file) else {
            let relative = file.hasPrefix("/") ? "" : " (relative to the working directory \(FileManager.default.currentDirectoryPath); check data_root and ann_file)"
            throw DatasetError.malformedAnnotations(file: file, reason: "file not found" + relative)
        }
        do { return try CocoIndex(contentsOf: file) } catch let error as StructuresError {
            throw DatasetError.malformedAnnotations(file: file, reason: error.message)
        }
    }

    /// The (names, ids) of the classes in label order.
    static func selectCategories(_ coco: CocoIndex, classes: [String]?, file: String) throws -> ([String], [Int]) {
        guard let classes else { return (coco.categories.map(\.name), coco.categories.map(\.id)) }
        let ids = try classes.map { name -> Int in
            guard let c = coco.categories.first(where: { $0.name == name }) else {
                throw DatasetError.unknownClass(file: file, name: name, known: coco.categories.map(\.name))
            }
            return c.id
        }
        return (classes, ids)
    }
}

extension Pipeline {
    /// Whether a LoadAnnotations step loads masks.
    var loadsMasks: Bool { transforms.contains { ($0 as? LoadAnnotations)?.withMask == true } }
}
