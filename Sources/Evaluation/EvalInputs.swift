import Foundation
import Structures

/// Ground truth and detections selected for one evaluation (pycocotools `_prepare` and the
/// per-bucket sort of `computeIoU`), flattened into arrays and grouped per bucket
/// `b = k * imageCount + i` (category group k, image i, both ascending by id). Detections of
/// a bucket are sorted by score, highest first, stably (file order among equal scores), and
/// cut to the largest maxDets.
struct EvalInputs {
    let imageIds: [Int]
    let categoryIds: [Int]
    let groups: Int
    var imageCount: Int { imageIds.count }
    var bucketCount: Int { groups * imageIds.count }

    // Ground truth, bucket by bucket: positions gtOffsets[b]..<gtOffsets[b + 1].
    var gtOffsets: [Int] = []
    var gtBoxes: [XYWH] = []
    var gtAreas: [Double] = []
    var gtCrowd: [Bool] = []
    /// Annotation ids: a match with id 0 does not count as a match (pycocotools tests ids).
    var gtIds: [Int] = []
    /// Index into the ground truth's `annotations`.
    var gtSources: [Int] = []

    // Detections, bucket by bucket, sorted and cut.
    var dtOffsets: [Int] = []
    var dtScores: [Double] = []
    var dtBoxes: [XYWH] = []
    var dtAreas: [Double] = []
    /// Index into the results' `detections`.
    var dtSources: [Int] = []

    var gtMasks: MaskTable? = nil
    var dtMasks: MaskTable? = nil

    init(groundTruth: CocoIndex, results: CocoResults, params: CocoEvalParams, policy: ResultsPolicy) throws {
        imageIds = Array(Set(params.imageIds ?? groundTruth.images.map(\.id))).sorted()
        let categories = params.categoryIds ?? groundTruth.categories.map(\.id)
        categoryIds = params.useCategories ? Array(Set(categories)).sorted() : categories
        groups = params.useCategories ? categoryIds.count : 1
        let imagePosition = IdPositions(imageIds)
        let categoryPosition = IdPositions(categoryIds)
        selectGroundTruth(groundTruth, params: params, imagePosition: imagePosition, categoryPosition: categoryPosition)
        selectDetections(results, maxDetections: params.maxDetections.max() ?? 0,
                         imagePosition: imagePosition, categoryPosition: categoryPosition, useCategories: params.useCategories)
        if params.iouType == .segm {
            let (gtNeeded, dtNeeded) = meetingBoth()
            gtMasks = try MaskTable.groundTruth(gtSources, needed: gtNeeded, groundTruth: groundTruth, policy: policy)
            dtMasks = try MaskTable.detections(dtSources, needed: dtNeeded, results: results, groundTruth: groundTruth)
        }
    }

    /// Which ground truth and detections share a bucket with the other side (only their
    /// masks are ever compared).
    private func meetingBoth() -> (gt: [Bool], dt: [Bool]) {
        var gt = [Bool](repeating: false, count: gtSources.count), dt = [Bool](repeating: false, count: dtSources.count)
        for b in 0..<bucketCount where gtOffsets[b] < gtOffsets[b + 1] && dtOffsets[b] < dtOffsets[b + 1] {
            for g in gtOffsets[b]..<gtOffsets[b + 1] { gt[g] = true }
            for d in dtOffsets[b]..<dtOffsets[b + 1] { dt[d] = true }
        }
        return (gt, dt)
    }

    /// `getAnnIds(imgIds, catIds)` + `loadAnns`: per image (ascending id) its annotations in
    /// file order, filtered by category; `loadAnns` looks ids up in a dict, so a duplicated
    /// id yields the last annotation with it (both times). With useCats = 0 an image's pool
    /// is ordered by category (params order), then file order.
    private mutating func selectGroundTruth(
        _ gt: CocoIndex, params: CocoEvalParams, imagePosition: IdPositions, categoryPosition: IdPositions
    ) {
        let lastWithId = CocoIndexQuirks.lastAnnotationWithId(gt)
        var buckets: [Int] = [], orders: [Int] = [], sources: [Int] = []
        for imageId in imageIds {
            for a in gt.annotationIndices(imageId: imageId) {
                guard !params.useCategories || categoryPosition[gt.annotations[a].categoryId] != nil else { continue }
                let source = lastWithId?[gt.annotations[a].id] ?? a
                let ann = gt.annotations[source]
                guard let i = imagePosition[ann.imageId], let c = categoryPosition[ann.categoryId] else { continue }
                buckets.append(params.useCategories ? c * imageIds.count + i : i)
                orders.append(c)
                sources.append(source)
            }
        }
        let (offsets, order) = Self.group(
            buckets, secondary: params.useCategories ? nil : orders, secondaryCount: categoryIds.count, count: bucketCount)
        gtOffsets = offsets
        gtSources = order.map { sources[$0] }
        gtBoxes = gtSources.map { gt.annotations[$0].bbox }
        gtAreas = gtSources.map { gt.annotations[$0].area }
        gtCrowd = gtSources.map { gt.annotations[$0].isCrowd }
        gtIds = gtSources.map { gt.annotations[$0].id }
    }

    /// Detections of the evaluated images and categories, per bucket in file order (category
    /// first with useCats = 0), then each bucket sorted by score (pycocotools' stable
    /// mergesort on -score: NaN last) and cut to `maxDetections`.
    private mutating func selectDetections(
        _ results: CocoResults, maxDetections: Int, imagePosition: IdPositions, categoryPosition: IdPositions, useCategories: Bool
    ) {
        let dets = results.detections
        var buckets: [Int] = [], orders: [Int] = [], sources: [Int] = []
        buckets.reserveCapacity(dets.count)
        sources.reserveCapacity(dets.count)
        for (source, det) in dets.enumerated() {
            guard let i = imagePosition[det.imageId], let c = categoryPosition[det.categoryId] else { continue }
            buckets.append(useCategories ? c * imageIds.count + i : i)
            if !useCategories { orders.append(c) }
            sources.append(source)
        }
        let (offsets, order) = Self.group(
            buckets, secondary: useCategories ? nil : orders, secondaryCount: categoryIds.count, count: bucketCount)
        let scores = sources.map { dets[$0].score }
        var kept: [Int] = []
        kept.reserveCapacity(order.count)
        dtOffsets = [Int](repeating: 0, count: bucketCount + 1)
        var scratch: [Int] = []
        for b in 0..<bucketCount {
            let members = order[offsets[b]..<offsets[b + 1]]
            if !members.isEmpty {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: members)
                scratch.sort { x, y in
                    let sx = scores[x], sy = scores[y]
                    if sx > sy || (sy.isNaN && !sx.isNaN) { return true }
                    if sx < sy || (sx.isNaN && !sy.isNaN) { return false }
                    return x < y
                }
                for j in scratch.prefix(maxDetections) { kept.append(sources[j]) }
            }
            dtOffsets[b + 1] = kept.count
        }
        dtSources = kept
        dtScores = kept.map { dets[$0].score }
        dtBoxes = kept.map { dets[$0].bbox }
        dtAreas = kept.map { dets[$0].area }
    }

    /// Stable grouping by bucket (counting sort), within a bucket by `secondary` when given:
    /// CSR offsets and the item order.
    static func group(_ buckets: [Int], secondary: [Int]?, secondaryCount: Int, count: Int) -> (offsets: [Int], order: [Int]) {
        var items = Array(buckets.indices)
        if let secondary {
            items = countingSort(items, keys: secondary, count: secondaryCount)
        }
        let ordered = countingSort(items, keys: buckets, count: count)
        var offsets = [Int](repeating: 0, count: count + 1)
        for b in buckets { offsets[b + 1] += 1 }
        for b in 0..<count { offsets[b + 1] += offsets[b] }
        return (offsets, ordered)
    }

    /// `items` stably reordered by `keys[item]` in `0..<count`.
    static func countingSort(_ items: [Int], keys: [Int], count: Int) -> [Int] {
        var starts = [Int](repeating: 0, count: count + 1)
        for item in items { starts[keys[item] + 1] += 1 }
        for k in 0..<count { starts[k + 1] += starts[k] }
        var out = [Int](repeating: 0, count: items.count)
        for item in items {
            out[starts[keys[item]]] = item
            starts[keys[item]] += 1
        }
        return out
    }
}

/// pycocotools' dict-by-id behaviour.
enum CocoIndexQuirks {
    /// nil when annotation ids are unique (the normal case); else id -> last index with it.
    static func lastAnnotationWithId(_ gt: CocoIndex) -> [Int: Int]? {
        var last = [Int: Int](minimumCapacity: gt.annotations.count)
        var duplicated = false
        for (index, ann) in gt.annotations.enumerated() where last.updateValue(index, forKey: ann.id) != nil {
            duplicated = true
        }
        return duplicated ? last : nil
    }
}

/// Id -> position lookups: a plain array when the ids are small non-negative numbers (COCO's
/// are), a dictionary otherwise. The first position wins for a repeated id.
struct IdPositions {
    private var table: [Int32] = []
    private var dictionary: [Int: Int] = [:]
    private let dense: Bool

    init(_ ids: [Int]) {
        let maxId = ids.max() ?? 0
        dense = (ids.min() ?? 0) >= 0 && maxId < max(1 << 22, 8 * ids.count)
        if dense {
            table = [Int32](repeating: -1, count: maxId + 1)
            for (position, id) in ids.enumerated().reversed() { table[id] = Int32(position) }
        } else {
            dictionary = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    @inline(__always)
    subscript(id: Int) -> Int? {
        if dense {
            guard id >= 0, id < table.count else { return nil }
            let position = table[id]
            return position >= 0 ? Int(position) : nil
        }
        return dictionary[id]
    }
}
