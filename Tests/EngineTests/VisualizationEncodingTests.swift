import Datasets
import Engine
import Foundation
import Testing

/// JPEG through TurboJPEG and back through Datasets' decoder; PNG taken apart byte by byte
/// with checksums and a stored-deflate reader written here, independently of the encoder.
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

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1))) }
        }
        return ~c
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt64 = 1, b: UInt64 = 0
        for x in bytes { a = (a + UInt64(x)) % 65521; b = (b + a) % 65521 }
        return UInt32(b << 16 | a)
    }

    static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    @Test func pngChunksChecksumsAndStoredBlocksGiveThePixelsBack() throws {
        let (w, h) = (300, 250)  // 250 * (1 + 900) bytes of scanlines: four stored blocks
        var state: UInt32 = 12345
        var px = [UInt8](repeating: 0, count: w * h * 3)
        for i in px.indices { state = state &* 1_664_525 &+ 1_013_904_223; px[i] = UInt8(state >> 24) }
        let image = ImageU8(height: h, width: w, channels: 3, pixels: px)
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ImageWriter.write(image, to: dir + "/p.png")
        let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/p.png")))

        #expect(Array(file[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var chunks: [(type: String, data: [UInt8])] = []
        var i = 8
        while i < file.count {
            let n = Int(Self.be32(file, i))
            let typeAndData = file[(i + 4)..<(i + 8 + n)]
            #expect(Self.be32(file, i + 8 + n) == Self.crc32(typeAndData), "CRC of chunk at \(i)")
            chunks.append((String(decoding: file[(i + 4)..<(i + 8)], as: UTF8.self), Array(file[(i + 8)..<(i + 8 + n)])))
            i += 12 + n
        }
        #expect(i == file.count)
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        let ihdr = chunks[0].data
        #expect(Self.be32(ihdr, 0) == 300 && Self.be32(ihdr, 4) == 250)
        #expect(Array(ihdr[8...]) == [8, 2, 0, 0, 0])  // depth 8, truecolour, deflate, filter 0, no interlace

        let z = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
        #expect(z[0] & 0x0F == 8 && (Int(z[0]) * 256 + Int(z[1])) % 31 == 0)
        var raw: [UInt8] = [], p = 2, blocks = 0
        while true {
            let header = z[p]
            #expect(header & 0b110 == 0, "BTYPE must be stored (00)")
            let len = Int(z[p + 1]) | Int(z[p + 2]) << 8, nlen = Int(z[p + 3]) | Int(z[p + 4]) << 8
            #expect(len ^ nlen == 0xFFFF)
            raw += z[(p + 5)..<(p + 5 + len)]
            p += 5 + len
            blocks += 1
            if header & 1 == 1 { break }
        }
        #expect(blocks == 4)
        #expect(Self.be32(z, p) == Self.adler32(raw) && p + 4 == z.count)
        #expect(raw.count == h * (1 + 3 * w))
        var mismatches = 0
        for y in 0..<h {
            #expect(raw[y * (1 + 3 * w)] == 0, "filter byte of row \(y)")
            for x in 0..<w {
                let o = y * (1 + 3 * w) + 1 + 3 * x
                if raw[o] != image[y, x, 2] || raw[o + 1] != image[y, x, 1] || raw[o + 2] != image[y, x, 0] { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func pngOfAnEmptyAndAGrayImage() throws {
        let gray = ImageU8(height: 2, width: 3, channels: 1, pixels: [1, 2, 3, 4, 5, 6])
        let bytes = PNGEncoder.encode(gray)
        #expect(bytes[8 + 8 + 9] == 0)  // IHDR colour type: grayscale
        // One stored block: 2 rows of 1 + 3 bytes, right after the 2-byte zlib header.
        let idat = 8 + 25 + 8
        #expect(Array(bytes[(idat + 2)..<(idat + 2 + 5 + 8)]) == [1, 8, 0, 0xF7, 0xFF, 0, 1, 2, 3, 0, 4, 5, 6])
    }
}
