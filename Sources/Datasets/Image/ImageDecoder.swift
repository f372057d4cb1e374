import Foundation

/// Reads an image file as mmcv's `LoadImageFromFile` does with OpenCV (`IMREAD_COLOR`):
/// 8-bit BGR, three channels. The format comes from the file's first bytes, not its name:
/// JPEG (libjpeg-turbo, EXIF orientation applied) and PNG (libpng). Other formats OpenCV
/// reads (BMP, TIFF, WebP, ...) are refused by name; anything else is a corrupt image.
public enum ImageDecoder {
    /// Reads and decodes the file at `path`.
    public static func load(path: String, imageId: Int? = nil) throws -> ImageU8 {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.missingImage(path: path, imageId: imageId)
        }
        return try decode(data, path: path)
    }

    /// Decodes image bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String) throws -> ImageU8 {
        if data.starts(with: PNGDecoder.signature) { return try PNGDecoder.decode(data, path: path) }
        return try JPEGDecoder.decode(data, path: path)
    }
}
