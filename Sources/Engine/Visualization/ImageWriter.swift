import CTurboJPEG
import Datasets
import Foundation
import Structures

/// Saves images as mmcv's `imwrite` does for our uses: the format follows the extension
/// (.jpg/.jpeg through libjpeg-turbo, .png through libpng), and the file is replaced
/// atomically (`Structures.AtomicFile`). Images are BGR, as Datasets decodes them.
public enum ImageWriter {
    /// The file formats `write` knows.
    public enum Format: Sendable, Equatable {
        case jpeg(quality: Int)
        case png
    }

    /// The format for `path`'s extension (case-insensitive), or an error naming the path.
    public static func format(for path: String, jpegQuality: Int = 90) throws -> Format {
        switch (path as NSString).pathExtension.lowercased() {
        case "jpg", "jpeg": return .jpeg(quality: jpegQuality)
        case "png": return .png
        default: throw VisualizationError.unsupportedFormat(path: path)
        }
    }

    /// Encodes `image` in the format its extension names and writes it atomically to `path`.
    public static func write(_ image: ImageU8, to path: String, jpegQuality: Int = 90) throws {
        let bytes: [UInt8]
        switch try format(for: path, jpegQuality: jpegQuality) {
        case .jpeg(let quality): bytes = try encodeJPEG(image, quality: quality, path: path)
        case .png: bytes = try PNGEncoder.encode(image, path: path)
        }
        do {
            try AtomicFile.write(bytes, to: path)
        } catch let failure as AtomicFile.Failure {
            throw VisualizationError.writeFailed(path: path, reason: failure.reason)
        }
    }

    /// JPEG bytes of a BGR (3-channel) or gray (1-channel) image, 4:2:0 chroma subsampling
    /// as OpenCV's default; `path` only names the target in errors.
    public static func encodeJPEG(_ image: ImageU8, quality: Int = 90, path: String = "<memory>") throws -> [UInt8] {
        guard image.channels == 3 || image.channels == 1, image.width > 0, image.height > 0 else {
            throw VisualizationError.encodingFailed(
                path: path, reason: "JPEG needs a non-empty 1- or 3-channel image, got \(image.height)x\(image.width)x\(image.channels)")
        }
        guard let handle = tjInitCompress() else {
            throw VisualizationError.encodingFailed(path: path, reason: "cannot create a TurboJPEG compressor")
        }
        defer { tjDestroy(handle) }
        let gray = image.channels == 1
        let format = gray ? TJPF_GRAY : TJPF_BGR
        let subsampling = gray ? TJSAMP_GRAY : TJSAMP_420
        var jpeg: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let rc = image.pixels.withUnsafeBufferPointer { src in
            tjCompress2(handle, src.baseAddress, Int32(image.width), 0, Int32(image.height), format.rawValue,
                        &jpeg, &size, Int32(subsampling.rawValue), Int32(min(max(quality, 1), 100)), 0)
        }
        defer { if let jpeg { tjFree(jpeg) } }
        guard rc == 0, let jpeg else {
            let reason = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown TurboJPEG error"
            throw VisualizationError.encodingFailed(path: path, reason: reason)
        }
        return Array(UnsafeBufferPointer(start: jpeg, count: Int(size)))
    }
}
