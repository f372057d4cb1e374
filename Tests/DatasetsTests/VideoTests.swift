import Datasets
import Foundation
import Testing

/// Video files through FFmpeg: the fixture made by OpenCV (Tests/Fixtures/video, its
/// make_video.py) read back against its source frames, our own files read back, bad input.
@Suite struct VideoTests {
    struct Expected: Decodable {
        struct Rotated: Decodable {
            let frames: Int
            let width: Int
            let height: Int
            let opencv_mean_abs_diff: [Double]
        }
        let frames: Int
        let fps: Double
        let width: Int
        let height: Int
        let opencv_mean_abs_diff: [Double]
        let rotated: Rotated
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: try TestData.fixture("video/expected.json"))))
    }

    static func meanAbsDiff(_ a: ImageU8, _ b: ImageU8) -> Double {
        zip(a.pixels, b.pixels).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(a.pixels.count)
    }

    /// Frame i of the fixture is the 320x240 window at (40i, 20i) of fruits_nuts/images/3.jpg.
    static func window(_ image: ImageU8, _ i: Int) -> ImageU8 {
        var pixels: [UInt8] = []
        for y in (20 * i)..<(20 * i + 240) {
            let row = (y * image.width + 40 * i) * 3
            pixels += image.pixels[row..<(row + 320 * 3)]
        }
        return ImageU8(height: 240, width: 320, channels: 3, pixels: pixels)
    }

    @Test func opencvsVideoReadsAsItsSourceFrames() throws {
        let expected = try Self.expected()
        let reader = try VideoReader(path: try TestData.fixture("video/fruits.mp4"))
        #expect(reader.width == expected.width && reader.height == expected.height && reader.codec == "mpeg4")
        #expect(reader.framesPerSecond == expected.fps && reader.declaredFrames == expected.frames)
        let photo = try ImageDecoder.load(path: try TestData.project("data/fruits_nuts/images/3.jpg"))
        var frames: [ImageU8] = []
        while let frame = try reader.next() { frames.append(frame) }
        #expect(frames.count == expected.frames)
        #expect(try reader.next() == nil)
        for (i, frame) in frames.enumerated() {
            // As close to the source as OpenCV's own decoding is (the same FFmpeg decoder).
            let diff = Self.meanAbsDiff(frame, Self.window(photo, i))
            #expect(abs(diff - expected.opencv_mean_abs_diff[i]) < 0.25, "frame \(i): \(diff) vs OpenCV's \(expected.opencv_mean_abs_diff[i])")
        }
    }

    /// A video whose display matrix turns it 90 degrees (a phone's portrait video) comes out
    /// upright, as OpenCV's VideoCapture gives it: 240 wide, each frame its window turned.
    @Test func rotatedVideoComesOutUpright() throws {
        let expected = try Self.expected().rotated
        let reader = try VideoReader(path: try TestData.fixture("video/fruits_rot90.mp4"))
        #expect(reader.rotation == 90 && reader.width == expected.width && reader.height == expected.height)
        let photo = try ImageDecoder.load(path: try TestData.project("data/fruits_nuts/images/3.jpg"))
        var i = 0
        while let frame = try reader.next() {
            #expect(frame.width == 240 && frame.height == 320)
            let diff = Self.meanAbsDiff(frame, ExifOrientation.apply(6, to: Self.window(photo, i)))
            #expect(abs(diff - expected.opencv_mean_abs_diff[i]) < 0.25, "frame \(i): \(diff)")
            i += 1
        }
        #expect(i == expected.frames)
    }

    /// Sizes FFmpeg's converters handle in blocks: every column of a 100-wide and a 10-wide
    /// video is decoded (none left as garbage), and an odd size loses its last column and row
    /// as OpenCV's writer does; an awkward frame rate is reduced, a colon in a name is a name.
    @Test func awkwardSizesRatesAndNames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-video-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (w, h) in [(100, 48), (10, 8), (101, 49), (2, 2)] {
            var px = [UInt8](repeating: 0, count: w * h * 3)
            for i in stride(from: 0, to: px.count, by: 3) { px[i] = 60; px[i + 1] = 120; px[i + 2] = 200 }
            let frame = ImageU8(height: h, width: w, channels: 3, pixels: px)
            let path = "\(dir)/a:b \(w)x\(h).mkv"
            let writer = try VideoWriter(path: path, width: w, height: h, fps: (1_000_000, 33_333))
            for _ in 0..<3 { try writer.write(frame) }
            try writer.finish()
            let reader = try VideoReader(path: path)
            #expect(reader.width == w & ~1 && reader.height == h & ~1, "\(w)x\(h) -> \(reader.width)x\(reader.height)")
            #expect(abs(reader.framesPerSecond - 1_000_000.0 / 33_333) < 0.01)
            var n = 0
            while let back = try reader.next() {
                n += 1
                // Every pixel near the flat colour written, the last columns included.
                let worst = stride(from: 0, to: back.pixels.count, by: 3).map { i in
                    max(abs(Int(back.pixels[i]) - 60), abs(Int(back.pixels[i + 1]) - 120), abs(Int(back.pixels[i + 2]) - 200))
                }.max() ?? 0
                #expect(worst <= 6, "\(w)x\(h): a pixel \(worst) levels off")
            }
            #expect(n == 3)
        }
        try FileManager.default.createDirectory(atPath: dir + "/folder.mp4", withIntermediateDirectories: true)
        #expect { try VideoWriter(path: dir + "/folder.mp4", width: 64, height: 48, fps: (25, 1)) } throws: { "\($0)".contains("is a folder") }
    }

    /// Frames written by VideoWriter come back in order, at their size and frame rate, close to
    /// what was written, in each container; the file appears under its name only when finished.
    @Test func writtenVideosReadBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-video-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var frames: [ImageU8] = []
        for t in 0..<6 {
            var px = [UInt8](repeating: 0, count: 48 * 64 * 3)
            for y in 0..<48 {
                for x in 0..<64 {
                    let o = 3 * (y * 64 + x)
                    px[o] = UInt8(x * 3 + t * 5); px[o + 1] = UInt8(y * 5); px[o + 2] = UInt8((x + y) * 2 + t * 3)  // smooth
                }
            }
            frames.append(ImageU8(height: 48, width: 64, channels: 3, pixels: px))
        }
        for ext in ["mp4", "avi", "mkv", "mov"] {
            let path = "\(dir)/sub/clip.\(ext)"
            let writer = try VideoWriter(path: path, width: 64, height: 48, fps: (30000, 1001))
            for f in frames { try writer.write(f) }
            #expect(!FileManager.default.fileExists(atPath: path))
            try writer.finish()
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/sub") == ["clip.\(ext)"])
            let reader = try VideoReader(path: path)
            #expect(reader.width == 64 && reader.height == 48 && abs(reader.framesPerSecond - 30000.0 / 1001) < 1e-6, "\(ext)")
            var back: [ImageU8] = []
            while let f = try reader.next() { back.append(f) }
            #expect(back.count == 6, "\(ext)")
            // Lossy: MPEG-4 quantization, 4:2:0 chroma and swscale's 8-bit YUV <-> BGR each way
            // (about 1.5 levels darker on these frames; OpenCV's own files are 3.2-3.6 off).
            for (a, b) in zip(back, frames) { #expect(Self.meanAbsDiff(a, b) < 3, "\(ext): \(Self.meanAbsDiff(a, b))") }
            try FileManager.default.removeItem(atPath: path)
        }
    }

    @Test func badVideosAreErrorsNamingTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-video-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect { try VideoReader(path: dir + "/gone.mp4") } throws: { "\($0)".contains("gone.mp4") && "\($0)".contains("not found") }
        try Data((0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 131) }).write(to: URL(fileURLWithPath: dir + "/noise.mp4"))
        #expect { try VideoReader(path: dir + "/noise.mp4") } throws: { "\($0)".contains("noise.mp4") }
        // A truncated file: an error or fewer frames, never a crash.
        let good = try Data(contentsOf: URL(fileURLWithPath: try TestData.fixture("video/fruits.mp4")))
        for fraction in [2, 3, 5] {
            let path = dir + "/cut\(fraction).mp4"
            try good.prefix(good.count * (fraction - 1) / fraction).write(to: URL(fileURLWithPath: path))
            do {
                let reader = try VideoReader(path: path)
                var n = 0
                while try reader.next() != nil { n += 1 }
                #expect(n < 8)
            } catch let error as VideoError {
                #expect(error.path == path)
            }
        }
        #expect { try VideoWriter(path: dir + "/tiny.mp4", width: 1, height: 48, fps: (25, 1)) } throws: { "\($0)".contains("too small") }
        #expect { try VideoWriter(path: dir + "/clip.gif", width: 64, height: 48, fps: (25, 1)) } throws: { "\($0)".contains("container") }
        #expect { try VideoWriter(path: dir + "/zero.mp4", width: 64, height: 48, fps: (0, 1)) } throws: { "\($0)".contains("zero.mp4") }
        // A writer dropped unfinished leaves nothing behind.
        do {
            let writer = try VideoWriter(path: dir + "/dropped.mp4", width: 64, height: 48, fps: (25, 1))
            try writer.write(ImageU8(height: 48, width: 64, channels: 3))
            #expect(throws: VideoError.self) { try writer.write(ImageU8(height: 48, width: 62, channels: 3)) }
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("dropped") }
        #expect(left.isEmpty, "\(left)")
    }
}
