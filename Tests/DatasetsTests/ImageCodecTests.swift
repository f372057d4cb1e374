import Datasets
import Foundation
import Testing
import TestSupport

/// PNG decoding and EXIF orientation against OpenCV's `imdecode(..., IMREAD_COLOR)`, byte for
/// byte: every file of Tests/Fixtures/images (made by its make_images.py) with the BGR pixels
/// OpenCV gave for it.
@Suite struct ImageCodecTests {
    struct Case: Decodable {
        let name: String
        let expected: String
        let height: Int
        let width: Int
    }

    struct Expected: Decodable { let files: [Case] }

    static let cases: [Case] = {
        guard let path = try? TestData.fixture("images/expected.json"),
              let data = FileManager.default.contents(atPath: path),
              let expected = try? JSONDecoder().decode(Expected.self, from: data) else { return [] }
        return expected.files
    }()

    static func bytes(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: try TestData.fixture("images/" + name)))
    }

    @Test func everyFixtureIsThere() {
        #expect(Self.cases.count >= 28)
        #expect(Self.cases.contains { $0.name.hasSuffix(".png") } && Self.cases.contains { $0.name.hasSuffix(".jpg") })
    }

    /// PNG (1 to 16 bits, gray, palette, alpha, tRNS, Adam7, eXIf) and JPEG (EXIF orientation
    /// 1...8 in both byte orders, invalid values, none) as OpenCV decodes them.
    @Test(arguments: cases.map(\.name))
    func decodesAsOpenCV(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let image = try ImageDecoder.decode(try Self.bytes(c.name), path: c.name)
        #expect(image.height == c.height && image.width == c.width && image.channels == 3, "\(image.height)x\(image.width)")
        let expected = [UInt8](try Self.bytes(c.expected))
        #expect(image.pixels.count == expected.count)
        let differing = zip(image.pixels, expected).filter { $0 != $1 }.count
        #expect(differing == 0, "\(name): \(differing) bytes differ from OpenCV's")
    }

    /// Without orientation, every EXIF variant is the stored pixels OpenCV gives with
    /// IMREAD_IGNORE_ORIENTATION; the orientation is a pure rearrangement of them.
    @Test func orientationCanBeIgnored() throws {
        let raw = [UInt8](try Self.bytes("jpeg_noexif_raw.bgr"))
        for tag in 0...9 {
            let image = try JPEGDecoder.decode(try Self.bytes("jpeg_exif_o\(tag).jpg"), path: "o\(tag)", orientation: false)
            #expect(image.height == 16 && image.width == 24 && image.pixels == raw, "orientation \(tag)")
        }
    }

    /// Where OpenCV finds the orientation and libexif alone would not: an APP1 segment after
    /// the quantization tables, and an Orientation stored as LONG; both turn the picture as
    /// orientation 6 does (OpenCV's pixels for jpeg_exif_o6.jpg).
    @Test func orientationAfterTablesAndAsLong() throws {
        let expected = [UInt8](try Self.bytes("jpeg_exif_o6.bgr"))
        // Move o6's APP1 segment after the first DQT segment.
        var o6 = [UInt8](try Self.bytes("jpeg_exif_o6.jpg"))
        func segment(_ marker: UInt8, in b: [UInt8]) -> Range<Int>? {
            var p = 2
            while p + 4 <= b.count, b[p] == 0xFF {
                let n = Int(b[p + 2]) << 8 | Int(b[p + 3])
                if b[p + 1] == marker { return p..<(p + 2 + n) }
                p += 2 + n
            }
            return nil
        }
        let app1 = try #require(segment(0xE1, in: o6))
        let exif = Array(o6[app1])
        o6.removeSubrange(app1)
        let dqt = try #require(segment(0xDB, in: o6))
        o6.insert(contentsOf: exif, at: dqt.upperBound)
        #expect(try ImageDecoder.decode(Data(o6), path: "late.jpg").pixels == expected)
        // o5 (big-endian, one entry) with its SHORT 5 rewritten as LONG 6.
        var o5 = [UInt8](try Self.bytes("jpeg_exif_o5.jpg"))
        let entry: [UInt8] = [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05]
        let at = try #require((0...(o5.count - entry.count)).first { Array(o5[$0..<($0 + entry.count)]) == entry })
        o5.replaceSubrange((at + 2)..<(at + 12), with: [0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06])
        #expect(try ImageDecoder.decode(Data(o5), path: "long.jpg").pixels == expected)
    }

    /// The eight orientations on a 2x3 image, written out by hand from the EXIF table.
    @Test func orientationTransformsByHand() {
        let image = ImageU8(height: 2, width: 3, channels: 1, pixels: [1, 2, 3, 4, 5, 6])
        let expected: [Int: (Int, Int, [UInt8])] = [
            1: (2, 3, [1, 2, 3, 4, 5, 6]), 2: (2, 3, [3, 2, 1, 6, 5, 4]), 3: (2, 3, [6, 5, 4, 3, 2, 1]),
            4: (2, 3, [4, 5, 6, 1, 2, 3]), 5: (3, 2, [1, 4, 2, 5, 3, 6]), 6: (3, 2, [4, 1, 5, 2, 6, 3]),
            7: (3, 2, [6, 3, 5, 2, 4, 1]), 8: (3, 2, [3, 6, 2, 5, 1, 4]),
        ]
        for (tag, (h, w, pixels)) in expected {
            let out = ExifOrientation.apply(tag, to: image)
            #expect(out.height == h && out.width == w && out.pixels == pixels, "orientation \(tag): \(out.pixels)")
        }
    }

    /// Damaged PNGs are errors naming the file, never a crash: every truncation of a real
    /// file, a flipped byte in each chunk (CRC), and an absurd size.
    @Test func damagedPNGsAreErrors() throws {
        let good = [UInt8](try Self.bytes("png_rgb8_interlaced.png"))
        for cut in stride(from: 8, to: good.count, by: 7) {
            #expect(throws: DatasetError.self, "cut at \(cut)") { try ImageDecoder.decode(Data(good.prefix(cut)), path: "cut.png") }
        }
        for position in [20, 40, 100, good.count - 5] {
            var bad = good
            bad[position] ^= 0x5A
            do {
                _ = try ImageDecoder.decode(Data(bad), path: "flipped.png")
                Issue.record("a flipped byte at \(position) decoded")
            } catch let error as DatasetError {
                #expect("\(error)".contains("flipped.png"), "\(error)")
            }
        }
        var huge = good
        huge.replaceSubrange(16..<24, with: [0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00])  // 262144 x 262144
        #expect(throws: DatasetError.self) { try ImageDecoder.decode(Data(huge), path: "huge.png") }
    }
}
