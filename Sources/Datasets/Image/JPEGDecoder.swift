import CImageCodecs
import CTurboJPEG
import Foundation

/// Reads JPEG files as mmcv's `LoadImageFromFile` does with OpenCV (`cv2.imdecode(...,
/// IMREAD_COLOR)`): 3 channels in BGR order whatever the file holds. Gray JPEGs are
/// replicated to 3 channels by libjpeg; CMYK/YCCK JPEGs are decoded to CMYK and converted as
/// OpenCV does (`v = k - (((255 - c) * k) >> 8)` on the inverted Adobe values). The EXIF
/// orientation (read by libexif) is applied, as OpenCV does unless told
/// `IMREAD_IGNORE_ORIENTATION`: a phone photo taken upright comes out upright.
///
/// Decoding goes through libjpeg-turbo's TurboJPEG API, which returns errors instead of
/// calling exit(), so a bad file is a thrown `DatasetError` and never ends the process. A
/// libjpeg *warning* (for instance "Premature end of JPEG file" on a truncated file, which
/// OpenCV would decode with a gray bottom) is treated as an error too: training on half an
/// image silently is worse than being told.
public enum JPEGDecoder {
    /// Reads and decodes the file at `path`.
    public static func load(path: String, imageId: Int? = nil) throws -> ImageU8 {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.missingImage(path: path, imageId: imageId)
        }
        return try decode(data, path: path)
    }

    /// Decodes JPEG bytes; `path` names the source in errors. `orientation` false decodes
    /// the pixels as stored (OpenCV's `IMREAD_IGNORE_ORIENTATION`).
    public static func decode(_ data: Data, path: String, orientation: Bool = true) throws -> ImageU8 {
        let stored = try decodeStored(data, path: path)
        guard orientation else { return stored }
        let tag = data.withUnsafeBytes { raw in
            Int(swiftdet_jpeg_exif_orientation(raw.bindMemory(to: UInt8.self).baseAddress, raw.count))
        }
        return ExifOrientation.apply(tag, to: stored)
    }

    /// The pixels in the order the file stores them.
    static func decodeStored(_ data: Data, path: String) throws -> ImageU8 {
        if let format = otherFormat(data) { throw DatasetError.unsupportedImage(path: path, format: format) }
        guard data.count >= 4, data[data.startIndex] == 0xFF, data[data.startIndex + 1] == 0xD8 else {
            throw DatasetError.corruptImage(path: path, reason: "no JPEG start-of-image marker (\(data.count) bytes)")
        }
        guard let handle = tjInitDecompress() else {
            throw DatasetError.corruptImage(path: path, reason: "cannot create a TurboJPEG decompressor")
        }
        defer { tjDestroy(handle) }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let buf = raw.bindMemory(to: UInt8.self).baseAddress!
            var w: Int32 = 0, h: Int32 = 0, subsamp: Int32 = 0, colorspace: Int32 = 0
            if tjDecompressHeader3(handle, buf, UInt(data.count), &w, &h, &subsamp, &colorspace) != 0 {
                throw DatasetError.corruptImage(path: path, reason: message(handle))
            }
            guard w > 0, h > 0, Int(w) * Int(h) <= 1 << 28 else {
                throw DatasetError.corruptImage(path: path, reason: "implausible size \(w)x\(h)")
            }
            let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
            let channels = cmyk ? 4 : 3
            var pixels = [UInt8](repeating: 0, count: Int(w) * Int(h) * channels)
            let format = cmyk ? TJPF_CMYK : TJPF_BGR
            let rc = pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(handle, buf, UInt(data.count), out.baseAddress, w, 0, h, format.rawValue, 0)
            }
            if rc != 0 {
                let kind = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) ? "corrupt data" : "error"
                throw DatasetError.corruptImage(path: path, reason: "\(kind): \(message(handle))")
            }
            let image = ImageU8(height: Int(h), width: Int(w), channels: channels, pixels: pixels)
            return cmyk ? cmykToBGR(image) : image
        }
    }

    /// OpenCV's `icvCvt_CMYK2BGR_8u_C4C3R`: Adobe CMYK JPEGs store inverted values.
    static func cmykToBGR(_ image: ImageU8) -> ImageU8 {
        let n = image.height * image.width
        var out = [UInt8](repeating: 0, count: n * 3)
        image.pixels.withUnsafeBufferPointer { s in
            for i in 0..<n {
                let c = Int(s[4 * i]), m = Int(s[4 * i + 1]), y = Int(s[4 * i + 2]), k = Int(s[4 * i + 3])
                out[3 * i + 2] = UInt8(truncatingIfNeeded: k - (((255 - c) * k) >> 8))
                out[3 * i + 1] = UInt8(truncatingIfNeeded: k - (((255 - m) * k) >> 8))
                out[3 * i] = UInt8(truncatingIfNeeded: k - (((255 - y) * k) >> 8))
            }
        }
        return ImageU8(height: image.height, width: image.width, channels: 3, pixels: out)
    }

    private static func message(_ handle: tjhandle) -> String {
        guard let s = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: s)
    }

    /// The name of a recognised non-JPEG image format, from its signature.
    static func otherFormat(_ data: Data) -> String? {
        let b = [UInt8](data.prefix(8))
        if b.starts(with: [0x47, 0x49, 0x46, 0x38]) { return "GIF" }
        if b.starts(with: [0x42, 0x4D]) { return "BMP" }
        if b.starts(with: [0x52, 0x49, 0x46, 0x46]) { return "WEBP/RIFF" }
        if b.starts(with: [0x49, 0x49, 0x2A, 0x00]) || b.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return "TIFF" }
        return nil
    }
}
