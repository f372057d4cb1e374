/// One `images` entry of a COCO file. `width`/`height` are 0 when the file omits them.
public struct CocoImage: Hashable, Sendable {
    public var id: Int
    public var fileName: String
    public var width: Int
    public var height: Int

    public init(id: Int, fileName: String, width: Int, height: Int) {
        self.id = id; self.fileName = fileName; self.width = width; self.height = height
    }

    /// The largest width or height an image or RLE may have (pycocotools keeps them in 32 bits;
    /// below 2^31 every pixel count and index SwiftDet makes from them fits in 64).
    public static let maxSide = Int(Int32.max)
}

/// One `categories` entry of a COCO file.
public struct CocoCategory: Hashable, Sendable {
    public var id: Int
    public var name: String
    public var supercategory: String

    public init(id: Int, name: String, supercategory: String = "") {
        self.id = id; self.name = name; self.supercategory = supercategory
    }
}

/// A COCO segmentation as the file stores it: polygons (one or more parts, `[x0, y0, x1, y1,
/// ...]` each), or a run-length mask with its own size (an uncompressed `counts` list and a
/// compressed `counts` string both decode to `RLE`).
public enum CocoSegmentation: Hashable, Sendable {
    case polygons([[Double]])
    case rle(RLE)

    /// The mask as `COCO.annToRLE` makes it: polygons rasterized on the image's
    /// `height x width` and merged; an RLE as it is (with its own size).
    public func rle(height: Int, width: Int) throws -> RLE {
        switch self {
        case .polygons(let parts): return try RLE(polygons: parts, height: height, width: width)
        case .rle(let mask): return mask
        }
    }
}

/// One `annotations` entry of a COCO file. `area` is the file's value (what COCOeval's area
/// ranges test), `isCrowd` its `iscrowd` (0 when absent), `ignore` its optional `ignore` flag
/// (mmdetection reads it; pycocotools' COCOeval does not).
public struct CocoAnnotation: Hashable, Sendable {
    public var id: Int
    public var imageId: Int
    public var categoryId: Int
    public var bbox: XYWH
    public var area: Double
    public var isCrowd: Bool
    public var ignore: Bool
    public var segmentation: CocoSegmentation?

    public init(
        id: Int, imageId: Int, categoryId: Int, bbox: XYWH, area: Double,
        isCrowd: Bool = false, ignore: Bool = false, segmentation: CocoSegmentation? = nil
    ) {
        self.id = id; self.imageId = imageId; self.categoryId = categoryId; self.bbox = bbox
        self.area = area; self.isCrowd = isCrowd; self.ignore = ignore; self.segmentation = segmentation
    }
}
