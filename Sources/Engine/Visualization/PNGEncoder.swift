import CImageCodecs
import Datasets

/// PNG files through libpng (zlib's default compression, adaptive row filters): 8-bit
/// truecolour from a BGR image, or grayscale from a 1-channel image.
public enum PNGEncoder {
    /// The PNG file bytes of `image` (3 channels BGR, or 1 channel gray, not empty); `path`
    /// only names the target in errors.
    public static func encode(_ image: ImageU8, path: String = "<memory>") throws -> [UInt8] {
        var message = [CChar](repeating: 0, count: Int(SWIFTDET_CODEC_MESSAGE_SIZE))
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        let rc = image.pixels.withUnsafeBufferPointer { px in
            swiftdet_png_encode(px.baseAddress, UInt32(clamping: image.width), UInt32(clamping: image.height),
                                Int32(image.channels), &out, &size, &message)
        }
        defer { if let out { swiftdet_codec_free(out) } }
        guard rc == 0, let out else {
            let reason = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw VisualizationError.encodingFailed(path: path, reason: reason.isEmpty ? "unknown libpng error" : reason)
        }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
