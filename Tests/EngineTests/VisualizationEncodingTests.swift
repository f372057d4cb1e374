import Datasets
import Engine
import Foundation
import Testing

/// JPEG through TurboJPEG and PNG through libpng, each read back through Datasets' decoder
/// (checked against OpenCV in DatasetsTests.ImageCodecTests).
@Suite struct VisualizationEncodingTests {
    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-viz-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A smooth BGR gradient (JPEG-friendly).
    static func gradient(height: Int, width: Int) -> ImageU8 {
        var px = [UInt8](repeating: 0, count: height * width * 3)
        for y in 0..<height {
            for x in 0..<width {
                let o = 3 * (y * width + x)
                px[o] = UInt8(x * 255 / max(width - 1, 1))
                px[o + 1] = UInt8(y * 255 / max(height - 1, 1))
                px[o + 2] = UInt8((x + y) * 255 / max(width + height - 2, 1))
            }
        }
        return ImageU8(height: height, width: width, channels: 3, pixels: px)
    }

    static func meanAbsError(_ a: ImageU8, _ b: ImageU8) -> Double {
        zip(a.pixels, b.pixels).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(a.pixels.count)
    }

    @Test func jpegRoundTripThroughTheDatasetsDecoder() throws {
        let image = Self.gradient(height: 48, width: 64)
        let bytes = try ImageWriter.encodeJPEG(image, quality: 90)
        #expect(bytes.starts(with: [0xFF, 0xD8]))
        let decoded = try JPEGDecoder.decode(Data(bytes), path: "memory.jpg")
        #expect(decoded.height == 48 && decoded.width == 64 && decoded.channels == 3)
        let err = Self.meanAbsError(image, decoded)
        #expect(err < 2.5, "mean abs error \(err)")
        // Channel order survives: the blue channel (index 0) grows along x.
        #expect(decoded[24, 60, 0] > 200 && decoded[24, 3, 0] < 40)

        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/drawn.JPG"
        try ImageWriter.write(image, to: path)
        let loaded = try JPEGDecoder.load(path: path)
        #expect(Self.meanAbsError(image, loaded) < 2.5)
        let rest = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(rest == ["drawn.JPG"], "no temporary files left: \(rest)")
    }

    @Test func formatFollowsTheExtension() throws {
        #expect(try ImageWriter.format(for: "a/b.jpeg") == .jpeg(quality: 90))
        #expect(try ImageWriter.format(for: "plot.PNG") == .png)
        #expect(throws: VisualizationError.unsupportedFormat(path: "plot.gif")) {
            try ImageWriter.write(Self.gradient(height: 2, width: 2), to: "plot.gif")
        }
        #expect(throws: VisualizationError.unsupportedFormat(path: "noext")) { try ImageWriter.format(for: "noext") }
        do {
            try ImageWriter.write(Self.gradient(height: 2, width: 2), to: "/nonexistent-dir-viz/x.png")
            Issue.record("writing into a missing directory should fail")
        } catch let VisualizationError.writeFailed(path, _) {
            #expect(path == "/nonexistent-dir-viz/x.png")
        }
    }

    // MARK: - PNG taken apart

    /// PNG files written by libpng read back, through the OpenCV-checked decoder, to the exact
    /// pixels: random colour (many rows, every filter choice) and gray images.
    @Test func pngRoundTripIsLossless() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var state: UInt32 = 12345
        func noise(_ n: Int) -> [UInt8] {
            (0..<n).map { _ in state = state &* 1_664_525 &+ 1_013_904_223; return UInt8(state >> 24) }
        }
        let color = ImageU8(height: 250, width: 300, channels: 3, pixels: noise(250 * 300 * 3))
        try ImageWriter.write(color, to: dir + "/p.png")
        let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/p.png")))
        #expect(Array(file[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(file[24..<26]) == [8, 2])  // IHDR: depth 8, truecolour
        #expect(try ImageDecoder.load(path: dir + "/p.png") == color)

        let smooth = Self.gradient(height: 120, width: 160)
        let bytes = try PNGEncoder.encode(smooth)
        #expect(bytes.count < smooth.pixels.count / 4, "a smooth image compresses: \(bytes.count) bytes")
        #expect(try ImageDecoder.decode(Data(bytes), path: "smooth.png") == smooth)

        let gray = ImageU8(height: 2, width: 3, channels: 1, pixels: [1, 2, 3, 4, 5, 6])
        let grayBytes = try PNGEncoder.encode(gray)
        #expect(grayBytes[25] == 0)  // IHDR colour type: grayscale
        let back = try ImageDecoder.decode(Data(grayBytes), path: "gray.png")
        #expect(back.pixels == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6])
        #expect(throws: VisualizationError.self) { try PNGEncoder.encode(ImageU8(height: 0, width: 3, channels: 3)) }
        #expect(throws: VisualizationError.self) { try PNGEncoder.encode(ImageU8(height: 2, width: 2, channels: 2)) }
    }
}
