import CImageCodecs
import Foundation

/// Reads PNG files as mmcv's `LoadImageFromFile` does with OpenCV (`cv2.imdecode(...,
/// IMREAD_COLOR)`), through libpng: 8-bit BGR whatever the file holds. 16-bit samples keep
/// their high byte, gray (1 to 16 bits) is replicated to three channels, palettes are
/// expanded, alpha channels and tRNS transparency are dropped (not composited), Adam7
/// interlacing is undone, no gamma or colour profile is applied, and the EXIF orientation of
/// an `eXIf` chunk is applied (as OpenCV does for PNGs too; see `ExifOrientation`). A bad file (wrong
/// checksum, truncated data, an absurd size) is a thrown `DatasetError`.
public enum PNGDecoder {
    /// The PNG signature, the first 8 bytes of every PNG file.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Reads and decodes the file at `path`.
    public static func load(path: String, imageId: Int? = nil) throws -> ImageU8 {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.missingImage(path: path, imageId: imageId)
        }
        return try decode(data, path: path)
    }

    /// Decodes PNG bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String) throws -> ImageU8 {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var message = [CChar](repeating: 0, count: Int(SWIFTDET_CODEC_MESSAGE_SIZE))
            var width: UInt32 = 0, height: UInt32 = 0, depth: Int32 = 0, type: Int32 = 0
            if swiftdet_png_header(bytes.baseAddress, bytes.count, &width, &height, &depth, &type, &message) != 0 {
                throw DatasetError.corruptImage(path: path, reason: "PNG: " + text(message))
            }
            let w = Int(width), h = Int(height)
            guard w > 0, h > 0, w * h <= 1 << 28 else {
                throw DatasetError.corruptImage(path: path, reason: "PNG: implausible size \(w)x\(h)")
            }
            var failed = false
            var orientation: Int32 = 0
            let pixels = [UInt8](unsafeUninitializedCapacity: w * h * 3) { out, count in
                failed = swiftdet_png_decode_bgr(bytes.baseAddress, bytes.count, out.baseAddress, width, height, &orientation, &message) != 0
                if failed { out.initialize(repeating: 0) }
                count = w * h * 3
            }
            if failed { throw DatasetError.corruptImage(path: path, reason: "PNG: " + text(message)) }
            return ExifOrientation.apply(Int(orientation), to: ImageU8(height: h, width: w, channels: 3, pixels: pixels))
        }
    }

    private static func text(_ message: [CChar]) -> String {
        let s = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return s.isEmpty ? "unknown libpng error" : s
    }
}
