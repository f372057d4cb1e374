import CVideoCodecs
import Foundation

/// A video file that cannot be read or written: the file, and what went wrong.
public struct VideoError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }

    static func from(_ message: [CChar], path: String, or fallback: String) -> VideoError {
        let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return VideoError(path: path, reason: text.isEmpty ? fallback : text)
    }
}

/// The frames of a video file as 8-bit BGR images, in order, decoded by FFmpeg (libavformat,
/// libavcodec, libswscale), as mmcv's `VideoReader` (OpenCV's FFmpeg backend) gives them:
/// turned upright when the stream's display matrix says so (a phone's portrait video), as
/// OpenCV does by default.
public final class VideoReader {
    public let path: String
    /// The size of the frames `next` returns (after the rotation).
    public let width: Int
    public let height: Int
    /// Degrees clockwise (0, 90, 180, 270) applied to the stored frames.
    public let rotation: Int
    /// Frames per second, as FFmpeg guesses it from the stream (e.g. 30000/1001).
    public let fps: (numerator: Int, denominator: Int)
    /// Frames the container declares (nil when it does not say).
    public let declaredFrames: Int?
    /// The codec's FFmpeg name ("h264", "mpeg4", ...).
    public let codec: String
    private let storedWidth, storedHeight: Int
    private var reader: OpaquePointer?

    public init(path: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw VideoError(path: path, reason: "video file not found or unreadable")
        }
        var message = [CChar](repeating: 0, count: Int(SWIFTDET_VIDEO_MESSAGE_SIZE))
        var info = swiftdet_video_info()
        var handle: OpaquePointer?
        guard swiftdet_video_open(path, &handle, &info, &message) == 0, let handle else {
            throw VideoError.from(message, path: path, or: "cannot open the video")
        }
        self.path = path
        reader = handle
        storedWidth = Int(info.width)
        storedHeight = Int(info.height)
        rotation = Int(info.rotation)
        let turned = rotation == 90 || rotation == 270
        width = turned ? storedHeight : storedWidth
        height = turned ? storedWidth : storedHeight
        fps = (Int(info.fps_num), Int(info.fps_den))
        declaredFrames = info.frames > 0 ? Int(info.frames) : nil
        codec = withUnsafeBytes(of: info.codec) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    deinit { swiftdet_video_close(reader) }

    /// Frames per second as a number (0 when the file gives none).
    public var framesPerSecond: Double { fps.denominator > 0 ? Double(fps.numerator) / Double(fps.denominator) : 0 }

    /// The next frame, or nil at the end of the video.
    public func next() throws -> ImageU8? {
        guard let reader else { return nil }
        var message = [CChar](repeating: 0, count: Int(SWIFTDET_VIDEO_MESSAGE_SIZE))
        var rc: Int32 = 0
        let n = storedWidth * storedHeight * 3
        let pixels = [UInt8](unsafeUninitializedCapacity: n) { out, count in
            rc = swiftdet_video_read(reader, out.baseAddress, &message)
            if rc != 1 { out.initialize(repeating: 0) }
            count = n
        }
        if rc < 0 { throw VideoError.from(message, path: path, or: "cannot decode the video") }
        guard rc == 1 else { return nil }
        let stored = ImageU8(height: storedHeight, width: storedWidth, channels: 3, pixels: pixels)
        // The EXIF orientations that turn by the same angle: 6 clockwise, 3 half, 8 counter-clockwise.
        return ExifOrientation.apply([90: 6, 180: 3, 270: 8][rotation] ?? 1, to: stored)
    }
}

/// A video file written frame by frame: MPEG-4 Part 2 video (OpenCV's 'mp4v', which
/// mmdetection's video demo writes) in the container the extension names (.mp4, .avi, .mkv,
/// .mov), through FFmpeg; an odd width or height loses its last column or row, as OpenCV's
/// writer does. Frames go to a temporary file beside `path`, which `finish` renames to `path`:
/// a run that stops half-way leaves no half-written video under that name.
public final class VideoWriter {
    public let path: String
    public let width: Int
    public let height: Int
    public private(set) var frames = 0
    private let partial: String
    private var writer: OpaquePointer?

    /// `fps` as a fraction, as the input video gives it; the folder is created if needed.
    public init(path: String, width: Int, height: Int, fps: (numerator: Int, denominator: Int)) throws {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        guard ["mp4", "avi", "mkv", "mov", "m4v"].contains(ext.lowercased()) else {
            throw VideoError(path: path, reason: "unknown video container '.\(ext)': use .mp4, .avi, .mkv or .mov")
        }
        var isDirectory: ObjCBool = false
        if path.hasSuffix("/") || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw VideoError(path: path, reason: "is a folder: give the output video's file name")
        }
        let folder = url.deletingLastPathComponent().path
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw VideoError(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
        partial = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.deletingPathExtension().lastPathComponent).partial-\(getpid()).\(ext)").path
        var message = [CChar](repeating: 0, count: Int(SWIFTDET_VIDEO_MESSAGE_SIZE))
        var handle: OpaquePointer?
        guard swiftdet_video_create(partial, Int32(clamping: width), Int32(clamping: height), Int32(clamping: fps.numerator),
                                    Int32(clamping: fps.denominator), &handle, &message) == 0, let handle else {
            try? FileManager.default.removeItem(atPath: partial)
            throw VideoError.from(message, path: path, or: "cannot create the video")
        }
        self.path = path
        self.width = width
        self.height = height
        writer = handle
    }

    deinit {
        if let writer {
            swiftdet_video_discard(writer)
            try? FileManager.default.removeItem(atPath: partial)
        }
    }

    /// Appends a BGR frame of the video's size.
    public func write(_ frame: ImageU8) throws {
        guard let writer else { throw VideoError(path: path, reason: "the video is already finished") }
        guard frame.width == width, frame.height == height, frame.channels == 3 else {
            throw VideoError(path: path, reason: "a \(frame.height)x\(frame.width)x\(frame.channels) frame for a \(height)x\(width) BGR video")
        }
        var message = [CChar](repeating: 0, count: Int(SWIFTDET_VIDEO_MESSAGE_SIZE))
        let rc = frame.pixels.withUnsafeBufferPointer { swiftdet_video_write(writer, $0.baseAddress, &message) }
        if rc != 0 { throw VideoError.from(message, path: path, or: "cannot encode a frame") }
        frames += 1
    }

    /// Completes the file and moves it to `path`.
    public func finish() throws {
        guard let writer else { throw VideoError(path: path, reason: "the video is already finished") }
        self.writer = nil
        var message = [CChar](repeating: 0, count: Int(SWIFTDET_VIDEO_MESSAGE_SIZE))
        guard swiftdet_video_finish(writer, &message) == 0 else {
            try? FileManager.default.removeItem(atPath: partial)
            throw VideoError.from(message, path: path, or: "cannot complete the video")
        }
        if rename(partial, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: partial)
            throw VideoError(path: path, reason: "cannot move the finished video into place: \(reason)")
        }
    }
}
