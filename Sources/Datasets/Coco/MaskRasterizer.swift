import Structures

/// COCO segmentations to 0/1 bitmaps (row-major), exactly as mmdetection's `_poly2mask`
/// through pycocotools: the parts of a polygon segmentation are rasterized and merged
/// (`frPyObjects` + `merge`), an RLE is decoded. The RLE code lives in Structures.
enum MaskRasterizer {
    static func bitmap(_ seg: CocoSegmentation, height: Int, width: Int, file: String, annotationId: Int) throws -> [UInt8] {
        do {
            let rle: RLE
            switch seg {
            case .polygons(let parts): rle = try RLE(polygons: parts, height: height, width: width)
            case .rle(let mask):
                guard mask.height == height, mask.width == width else {
                    throw DatasetError.malformedSegmentation(
                        file: file, annotationId: annotationId,
                        reason: "RLE size \(mask.height)x\(mask.width) differs from the image's \(height)x\(width)")
                }
                rle = mask
            }
            return try rle.decodeRowMajor()
        } catch let error as StructuresError {
            throw DatasetError.malformedSegmentation(file: file, annotationId: annotationId, reason: error.message)
        }
    }
}
