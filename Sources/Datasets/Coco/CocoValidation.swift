import Structures

/// Checks of a COCO file that mmdetection would crash on (or silently mis-read), each an
/// error naming the file and the entry.
enum CocoValidation {
    /// Every annotation names a known image and category; annotation ids are unique.
    static func check(_ coco: CocoIndex, file: String) throws {
        var seen = Set<Int>()
        seen.reserveCapacity(coco.annotations.count)
        for ann in coco.annotations {
            guard coco.imageIndex(id: ann.imageId) != nil else {
                throw DatasetError.unknownImage(file: file, annotationId: ann.id, imageId: ann.imageId)
            }
            guard coco.categoryIndex(id: ann.categoryId) != nil else {
                throw DatasetError.unknownCategory(file: file, annotationId: ann.id, categoryId: ann.categoryId)
            }
            guard seen.insert(ann.id).inserted else { throw DatasetError.duplicateAnnotationId(file: file, annotationId: ann.id) }
        }
    }

    /// Masks will be loaded: polygons must have >= 3 points and an even number of
    /// coordinates, and every instance a segmentation. Strict: the first problem is thrown;
    /// otherwise each is reported through `warn` (LoadAnnotations then drops the part, or
    /// ignores the instance, as mmdetection does).
    static func checkPolygons(_ list: [DataInfo], file: String, strict: Bool, warn: (String) -> Void) throws {
        for info in list {
            for inst in info.instances {
                guard let problem = problem(inst.mask) else { continue }
                let error: DatasetError = inst.mask == nil
                    ? .malformedSegmentation(file: file, annotationId: inst.annotationId, reason: problem)
                    : .degeneratePolygon(file: file, annotationId: inst.annotationId, imageId: info.imgId, reason: problem)
                if strict { throw error }
                warn("\(error) (instance dropped or ignored as mmdetection does)")
            }
        }
    }

    static func problem(_ seg: CocoSegmentation?) -> String? {
        switch seg {
        case nil: return "no segmentation"
        case .rle?: return nil
        case .polygons(let parts)?:
            if parts.isEmpty { return "no polygon" }
            for (k, p) in parts.enumerated() where !LoadAnnotations.isUsablePolygon(p) {
                return "part \(k) has \(p.count) coordinates (needs an even number, at least 6)"
            }
            return nil
        }
    }
}
