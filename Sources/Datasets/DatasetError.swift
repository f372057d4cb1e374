import Foundation

/// Every failure of the data pipeline on bad input: each names the file and, where there is
/// one, the entry (image id, annotation id, category id) so that the data can be fixed.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// An image file that does not exist or cannot be read.
    case missingImage(path: String, imageId: Int?)
    /// A file that is not a decodable JPEG or PNG (corrupt, truncated, not an image at all).
    case corruptImage(path: String, reason: String)
    /// A file in a format SwiftDet does not decode (GIF, BMP, TIFF, WebP).
    case unsupportedImage(path: String, format: String)
    /// Annotation file: unreadable, not JSON, or JSON of the wrong shape.
    case malformedAnnotations(file: String, reason: String)
    /// An annotation whose `image_id` is not among the file's images.
    case unknownImage(file: String, annotationId: Int, imageId: Int)
    /// An annotation whose `category_id` is not among the file's categories.
    case unknownCategory(file: String, annotationId: Int, categoryId: Int)
    /// `metainfo.classes` names a class the file does not have.
    case unknownClass(file: String, name: String, known: [String])
    /// A segmentation polygon with fewer than 3 points or an odd number of coordinates.
    case degeneratePolygon(file: String, annotationId: Int, imageId: Int, reason: String)
    /// A segmentation that is neither polygons nor an RLE dict with counts and size.
    case malformedSegmentation(file: String, annotationId: Int, reason: String)
    /// Two annotations with the same id (mmdetection refuses them too).
    case duplicateAnnotationId(file: String, annotationId: Int)
    /// A pipeline that cannot produce a sample (e.g. it lacks PackDetInputs).
    case pipeline(String)

    public var description: String {
        switch self {
        case .missingImage(let p, let id):
            "image file not found or unreadable: \(p)" + (id.map { " (image id \($0))" } ?? "")
        case .corruptImage(let p, let r): "\(p): corrupt or truncated image: \(r)"
        case .unsupportedImage(let p, let f): "\(p): unsupported image format \(f) (SwiftDet decodes JPEG and PNG)"
        case .malformedAnnotations(let f, let r): "\(f): malformed COCO annotation file: \(r)"
        case .unknownImage(let f, let a, let i): "\(f): annotation \(a) names image \(i), which is not in 'images'"
        case .unknownCategory(let f, let a, let c): "\(f): annotation \(a) names category \(c), which is not in 'categories'"
        case .unknownClass(let f, let n, let k):
            "\(f): metainfo class '\(n)' is not a category of the file (categories: \(k.joined(separator: ", ")))"
        case .degeneratePolygon(let f, let a, let i, let r):
            "\(f): annotation \(a) (image \(i)) has a degenerate polygon: \(r)"
        case .malformedSegmentation(let f, let a, let r): "\(f): annotation \(a) has a malformed segmentation: \(r)"
        case .duplicateAnnotationId(let f, let a): "\(f): annotation id \(a) is used more than once"
        case .pipeline(let m): "data pipeline: \(m)"
        }
    }
}
