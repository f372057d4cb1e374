import Structures
import Testing

/// The mask API on small hand-made cases whose expected values pycocotools 2.0.11 printed
/// (`mask.encode`, `frPyObjects`, `merge`, `iou`, `area`, `toBbox`).
@Suite struct RLETests {
    /// 4x5 mask: rows 1-2 x columns 1-3, plus pixel (3, 4); column-major runs.
    static let mask: [UInt8] = {
        var m = [UInt8](repeating: 0, count: 20)
        for y in 1...2 { for x in 1...3 { m[y * 5 + x] = 1 } }
        m[3 * 5 + 4] = 1
        return m
    }()

    @Test func encodeDecodeAreaBox() throws {
        let rle = RLE(rowMajor: Self.mask, height: 4, width: 5)
        #expect(rle.counts == [5, 2, 2, 2, 2, 2, 4, 1])
        #expect(rle.compressedCounts == "5220002O")
        #expect(rle.area == 7)
        #expect(rle.boundingBox == XYWH(1, 1, 4, 3))
        #expect(try rle.decodeRowMajor() == Self.mask)
        try rle.validate()
        #expect(try RLE(compressedCounts: "5220002O", height: 4, width: 5) == rle)
    }

    @Test func emptyAndFullMasks() throws {
        let empty = RLE.empty(height: 3, width: 2)
        #expect(empty.counts == [6])
        #expect(empty.area == 0)
        #expect(empty.boundingBox == XYWH(0, 0, 0, 0))
        let full = RLE(columnMajor: [UInt8](repeating: 1, count: 6), height: 3, width: 2)
        #expect(full.counts == [0, 6])
        #expect(full.boundingBox == XYWH(0, 0, 2, 3))
        #expect(RLE(height: 0, width: 0, counts: []).compressedCounts == "")
    }

    /// Large counts and negative deltas in the string form (pycocotools' `frPyObjects` of an
    /// uncompressed RLE).
    @Test func compressedStringOfLargeCounts() throws {
        let rle = RLE(height: 100, width: 1001, counts: [0, 1000, 50, 100000, 3, 7])
        #expect(rle.compressedCounts == "0Xo0b1heP3aNW[nL")
        #expect(try RLE(compressedCounts: "0Xo0b1heP3aNW[nL", height: 100, width: 1001) == rle)
    }

    @Test func polygonsMergeAndIoU() throws {
        let a = RLE(polygon: [1, 1, 4, 1, 4, 3, 1, 3], height: 5, width: 6)
        let b = RLE(polygon: [2, 0, 5.5, 0, 5.5, 4, 2, 4], height: 5, width: 6)
        #expect(a.compressedCounts == "6230009")
        #expect(b.compressedCounts == ":41000000")
        #expect(RLE.merge([a, b]).compressedCounts == "6222O000000")
        #expect(RLE.merge([a, b], intersect: true).compressedCounts == ";2309")
        #expect(RLE.iou(dets: [a], gts: [b], isCrowd: [false]) == [2.0 / 9.0])
        #expect(RLE.iou(dets: [a], gts: [b], isCrowd: [true]) == [2.0 / 3.0])
        let decoded = try a.decodeRowMajor()
        #expect(decoded == [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0] + [UInt8](repeating: 0, count: 12))
        // Vertices outside the image, negative ones truncated toward zero.
        #expect(RLE(polygon: [-3.2, -1.7, 10, 2, 4, 12.9], height: 8, width: 9).compressedCounts == "062j0OWO000N3NO")
    }

    @Test func masksOfDifferentSizes() {
        let a = RLE.empty(height: 2, width: 2), b = RLE(columnMajor: [1, 1, 1, 1, 1, 1], height: 3, width: 2)
        #expect(RLE.merge([a, b]) == RLE(height: 0, width: 0, counts: []))
        let c = RLE(columnMajor: [1, 1, 1, 1], height: 2, width: 2)
        #expect(RLE.iou(dets: [c], gts: [b], isCrowd: [false]) == [-1])
    }

    @Test func polygonListsPycocotoolsCannotRead() {
        #expect(errorText { _ = try RLE(polygons: [], height: 4, width: 4) }.contains("no parts"))
        #expect(errorText { _ = try RLE(polygons: [[1, 2, 3, 4]], height: 4, width: 4) }.contains("4 numbers"))
        // A short later part is fine (pycocotools only looks at the first).
        #expect((try? RLE(polygons: [[0, 0, 3, 0, 3, 3], [1, 1]], height: 4, width: 4)) != nil)
    }

    @Test func badCompressedStrings() {
        #expect(errorText { _ = try RLE(compressedCounts: "5a~", height: 4, width: 5) }.contains("'~'"))
        #expect(errorText { _ = try RLE(compressedCounts: "5P", height: 4, width: 5) }.contains("ends inside a value"))
        let overrun = RLE(height: 2, width: 2, counts: [1, 5])
        #expect(errorText { try overrun.validate() }.contains("cover 6 pixels"))
        #expect(errorText { _ = try overrun.decodeColumnMajor() }.contains("run past"))
    }

    /// A compressed count past 64 bits wraps as pycocotools' C long does (it trapped before):
    /// pycocotools reads this string as area 1, box [0, 1, 1, 1], i.e. counts [1, 1, 1, 0].
    @Test func compressedCountPast64BitsWraps() throws {
        let rle = try RLE(compressedCounts: "111" + String(repeating: "o", count: 12) + "7", height: 80, width: 100)
        #expect(rle.counts == [1, 1, 1, 0])
        // A seventh character shifts a C int by 30, an eighth by 35 taken mod 32: pycocotools'
        // wheel reads these as [8] (area 0 of 1x8) and [64] (area 0 of 8x8).
        #expect(try RLE(compressedCounts: "PPPPPPPQ0", height: 1, width: 8).counts == [8])
        #expect(try RLE(compressedCounts: "PPPPPPPX0", height: 8, width: 8).counts == [64])
    }

    /// The clipped walk (only the points that can make a crossing) gives the crossings of
    /// pycocotools' walk over every point: random polygons in and far outside images of several
    /// sizes, with shallow, steep, vertical and degenerate edges.
    @Test func clippedPolygonWalkEqualsTheFullWalk() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random() -> Double {  // SplitMix64 in [0, 1)
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        for (h, w) in [(1, 1), (7, 5), (40, 60), (13, 200), (100, 9)] {
            for trial in 0..<60 {
                let spread = [1.0, 3.0, 40.0, 2000.0][trial % 4]
                let points = 3 + Int(random() * 7)
                var polygon: [Double] = []
                for _ in 0..<points {
                    // mostly near the image, some far outside; some on whole or fifth pixels
                    var x = (random() - 0.3) * Double(w) * spread, y = (random() - 0.3) * Double(h) * spread
                    if trial % 3 == 0 { x = (x * 5).rounded() / 5; y = y.rounded() }
                    polygon += [x, y]
                }
                if trial % 5 == 0 { polygon[2] = polygon[0] }  // a vertical edge
                if trial % 7 == 0 { polygon[2] = polygon[0]; polygon[3] = polygon[1] }  // a repeated point
                let clipped = RLE(polygon: polygon, height: h, width: w)
                let full = RLE(polygon: polygon, height: h, width: w, everyPoint: true)
                #expect(clipped == full, "\(h)x\(w) \(polygon)")
            }
        }
        // Far vertices: the full walk takes 5 steps per pixel of edge; the clipped one does not.
        let far = [-1e5, 3.5, 1e5, 4.2, 20, 1e5, 21, -1e5]
        #expect(RLE(polygon: far, height: 30, width: 40) == RLE(polygon: far, height: 30, width: 40, everyPoint: true))
        let huge = RLE(polygon: [-4e8, 0, 4e8, 1, -4e8, 2, 4e8, 3, -4e8, 4, 4e8, 5], height: 8, width: 10)
        #expect(huge.height == 8 && huge.pixelCount == 80)
        // An image of no pixels (a file without width or height) has an empty mask, at once.
        let wide = [0, 0, 4e8, 0, 4e8, 1]
        #expect(RLE(polygon: wide, height: 5, width: 0) == RLE(height: 5, width: 0, counts: [0]))
        #expect(RLE(polygon: wide, height: 0, width: 7) == RLE(height: 0, width: 7, counts: [0]))
        #expect(RLE(polygon: [0, 0, 10, 0, 10, 10], height: 0, width: 5, everyPoint: true).counts == [0])  // pycocotools' too
    }

    @Test func boxIoUOperationOrder() {
        // Mathematically 0.5; pycocotools' order of operations gives 0.49999999999999994.
        let det = XYWH(111.7, 4.55, 120.89, 23.28), gt = XYWH(111.7, 4.55, 120.89, 46.56)
        #expect(BoxIoU.coco(det: det, gt: gt, crowd: false) == 0.49999999999999994)
        #expect(BoxIoU.coco(det: det, gt: gt, crowd: true) == 1.0)
        #expect(BoxIoU.coco(det: XYWH(0, 0, 0, 5), gt: XYWH(0, 0, 0, 5), crowd: false) == 0)
        #expect(BoxIoU.coco(dets: [det, gt], gts: [gt], isCrowd: [false]) == [0.49999999999999994, 1])
        #expect(XYWH(1, 2, 3, 4).xyxy == XYXY(1, 2, 4, 6))
        #expect(XYXY(1, 2, 4, 6).xywh == XYWH(1, 2, 3, 4))
        #expect(BoxIoU.iou(XYXY(0, 0, 2, 2), XYXY(1, 0, 3, 2)) == 1.0 / 3.0)
    }
}
