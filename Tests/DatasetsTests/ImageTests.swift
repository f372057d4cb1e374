import Datasets
import Foundation
import Structures
import Testing

/// JPEG decoding and resizing against OpenCV, bit for bit. The hashes are of cv2.imread /
/// cv2.resize(INTER_LINEAR / INTER_NEAREST) outputs computed once with OpenCV 5.0 (the same
/// results as the 4.14 that made the mmdet fixtures).
@Suite struct ImageTests {
    @Test func grayJPEGBecomesThreeEqualChannels() throws {
        let img = try JPEGDecoder.decode(SmallJPEGs.gray, path: "gray.jpg")
        #expect(img.channels == 3 && img.height == 29 && img.width == 37)
        #expect(img[3, 4, 0] == img[3, 4, 1] && img[3, 4, 1] == img[3, 4, 2])
        #expect(fnv1a(img.pixels) == 0x5b21548996bfa792)
        #expect(fnv1a(ImageResize.linear(img, height: 87, width: 75).pixels) == 0x1d3ae59b33d55607)
    }

    @Test func cmykJPEGConvertsAsOpenCVDoes() throws {
        let img = try JPEGDecoder.decode(SmallJPEGs.cmyk, path: "cmyk.jpg")
        #expect(img.channels == 3 && img.height == 29 && img.width == 37)
        #expect(fnv1a(img.pixels) == 0xf060be27a44081a5)
        #expect(fnv1a(ImageResize.linear(img, height: 87, width: 75).pixels) == 0xd78ae2bd95df1d94)
    }

    /// (file, new width, new height, decode, 1333x800 rescale, 5/11 x 3/7 downscale, halving)
    static let real: [(String, Int, Int, UInt64, UInt64, UInt64, UInt64?)] = [
        ("000000000790.jpg", 1213, 800, 0xbbd970dcc7678cb0, 0x59a7fac8b5625ac5, 0xe46de428ba270151, 0x35e5fed123d8668),
        ("000000008193.jpg", 1140, 800, 0x2286def616254ac, 0x339763db0c440cbc, 0x5ae5f07192770bcd, nil),
        ("000000024577.jpg", 809, 800, 0xcb3aa47908b5eeba, 0x912f9d26677ac0b5, 0x4ebe097c1d25cbda, nil),
    ]

    @Test func realPhotosDecodeAndResizeLikeOpenCV() throws {
        for (file, nw, nh, dec, up, down, half) in Self.real {
            let img = try JPEGDecoder.load(path: try TestData.fixture("coco_sample/images/\(file)"))
            #expect(fnv1a(img.pixels) == dec, "decode \(file)")
            #expect(fnv1a(ImageResize.linear(img, height: nh, width: nw).pixels) == up, "upscale \(file)")
            let d = ImageResize.linear(img, height: img.height * 3 / 7 + 1, width: img.width * 5 / 11 + 1)
            #expect(fnv1a(d.pixels) == down, "downscale \(file)")
            if let half {
                #expect(fnv1a(ImageResize.linear(img, height: img.height / 2, width: img.width / 2).pixels) == half, "halve \(file)")
            }
        }
    }

    @Test(arguments: [
        (29, 37, 61, 80, UInt64(0xe1546e485d2de50f)), (600, 800, 384, 512, 0x6f7909dc4dd95325),
        (480, 640, 800, 1067, 0x693994c63cf16fc5), (61, 80, 29, 37, 0xa8cccd5ad42a3695),
    ])
    func maskNearestResizeMatchesOpenCV(_ c: (Int, Int, Int, Int, UInt64)) {
        let (sh, sw, dh, dw, expected) = c
        var data = [UInt8](repeating: 0, count: sh * sw)
        for y in 0..<sh { for x in 0..<sw where (x * 7 + y * 13) % 5 == 0 { data[y * sw + x] = 1 } }
        let masks = BitmapMasks(height: sh, width: sw, data: data).resized(height: dh, width: dw)
        #expect(fnv1a(masks.data) == expected)
    }

    @Test func flipMirrorsColumnsRowsOrBoth() {
        let img = ImageU8(height: 2, width: 3, channels: 1, pixels: [1, 2, 3, 4, 5, 6])
        #expect(img.flipped(.horizontal).pixels == [3, 2, 1, 6, 5, 4])
        #expect(img.flipped(.vertical).pixels == [4, 5, 6, 1, 2, 3])
        #expect(img.flipped(.diagonal).pixels == [6, 5, 4, 3, 2, 1])
    }
}
