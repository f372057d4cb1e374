import Structures

/// mmdetection's `CocoDataset.parse_data_info` and `filter_data`.
enum CocoParsing {
    /// One `DataInfo` per image, in file order. An annotation is skipped when it has `ignore`,
    /// does not overlap the image, has area <= 0, w < 1 or h < 1, or a category outside the
    /// selected classes; crowd annotations are kept with the ignore flag. `dropped` counts the
    /// annotations of selected classes dropped for their box (and names the first), so that
    /// the dataset can say so once.
    static func dataList(_ coco: CocoIndex, categoryIds: [Int], imagePrefix: String, file: String,
                         dropped: inout (count: Int, first: Int?)) throws -> [DataInfo] {
        var label: [Int: Int] = [:]
        for (i, id) in categoryIds.enumerated() { label[id] = i }
        var count = 0, first: Int?
        defer { dropped = (count, first) }
        return try coco.images.map { img in
            guard img.width > 0, img.height > 0 else {
                throw DatasetError.malformedAnnotations(file: file, reason: "image \(img.id) has no positive width/height")
            }
            var instances: [InstanceInfo] = []
            for ann in coco.annotations(imageId: img.id) {
                guard let l = label[ann.categoryId], !ann.ignore else { continue }
                guard usable(ann, width: Double(img.width), height: Double(img.height)) else {
                    count += 1
                    if first == nil { first = ann.id }
                    continue
                }
                let b = ann.bbox
                instances.append(InstanceInfo(bbox: [b.x, b.y, b.x + b.w, b.y + b.h], label: l, ignoreFlag: ann.isCrowd,
                                              mask: ann.segmentation, annotationId: ann.id))
            }
            return DataInfo(imgId: img.id, imgPath: PathJoin.join(imagePrefix, img.fileName), height: img.height,
                            width: img.width, instances: instances, annotationFile: file)
        }
    }

    static func usable(_ ann: CocoAnnotation, width: Double, height: Double) -> Bool {
        if ann.ignore { return false }
        let b = ann.bbox
        guard b.x.isFinite, b.y.isFinite, b.w.isFinite, b.h.isFinite, ann.area.isFinite else { return false }
        let interW = max(0, min(b.x + b.w, width) - max(b.x, 0))
        let interH = max(0, min(b.y + b.h, height) - max(b.y, 0))
        if interW * interH == 0 { return false }
        return !(ann.area <= 0 || b.w < 1 || b.h < 1)
    }

    /// `filter_data`: with `filterEmptyGT`, keep images that have at least one annotation (of
    /// any kind, crowd included, as pycocotools' `catToImgs` counts them) of a selected
    /// category; always drop images whose shorter side is below `minSize`.
    static func filtered(_ list: [DataInfo], _ coco: CocoIndex, categoryIds: [Int], _ f: CocoDataset.Filter) -> [DataInfo] {
        var withAnnotations = Set<Int>()
        for id in categoryIds {
            for a in coco.annotationIndices(categoryId: id) { withAnnotations.insert(coco.annotations[a].imageId) }
        }
        return list.filter { info in
            if f.filterEmptyGT && !withAnnotations.contains(info.imgId) { return false }
            return min(info.width, info.height) >= f.minSize
        }
    }
}

/// `os.path.join` of two parts (mmengine's `join_path`): an absolute second part wins, an
/// empty first part adds nothing, one separator between.
enum PathJoin {
    static func join(_ a: String, _ b: String) -> String {
        if b.hasPrefix("/") || a.isEmpty { return b }
        return a.hasSuffix("/") ? a + b : a + "/" + b
    }
}
