import Structures
import Testing

/// BitmapMasks / PolygonMasks / HorizontalBoxes geometry on small hand-checked cases (the
/// real-image cases are in PipelineGeometryTests and FixturePipelineTests).
@Suite struct MasksTests {
    // 3x4 mask: row-major
    static let m = BitmapMasks(height: 3, width: 4, data: [1, 1, 0, 0,
                                                           0, 1, 0, 0,
                                                           0, 0, 0, 1])

    @Test func bitmapFlipPadCropAndAreas() {
        #expect(Self.m.flipped(.horizontal).data == [0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0])
        #expect(Self.m.flipped(.vertical).data == [0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0])
        #expect(Self.m.areas == [4])
        let p = Self.m.padded(height: 4, width: 5)
        #expect(p.height == 4 && p.width == 5 && p.data[0..<5] == [1, 1, 0, 0, 0] && p.data[15..<20] == [0, 0, 0, 0, 0])
        let c = Self.m.cropped(x1: 1, y1: 0, x2: 3, y2: 2)
        #expect(c.height == 2 && c.width == 2 && c.data == [1, 0, 1, 0])
        let edge = Self.m.cropped(x1: 3.7, y1: 2, x2: 9, y2: 2)  // clipped, at least 1x1
        #expect(edge.height == 1 && edge.width == 1 && edge.data == [1])
    }

    @Test func cropAndResizeOfAFullBoxIsTheMaskItself() {
        // RoIAlign of the whole 3x4 mask onto 3x4 samples pixel centres exactly.
        let t = Self.m.cropAndResize(boxes: [0, 0, 4, 3], indices: [0], outHeight: 3, outWidth: 4)
        #expect(t == Self.m.data.map(Float.init))
        let soft = Self.m.cropAndResize(boxes: [0, 0, 4, 3], indices: [0], outHeight: 1, outWidth: 1, binarize: false)
        #expect(abs(soft[0] - 4.0 / 12.0) < 1e-6)
    }

    @Test func polygonGeometry() throws {
        let poly = PolygonMasks(height: 10, width: 20, polygons: [[[2, 2, 8, 2, 8, 6, 2, 6]]])
        #expect(poly.areas == [24])
        #expect(poly.flipped(.horizontal).polygons[0][0] == [18, 2, 12, 2, 12, 6, 18, 6])
        #expect(poly.resized(height: 20, width: 10).polygons[0][0] == [1, 4, 4, 4, 4, 12, 1, 12])
        let crop = poly.cropped(x1: 4, y1: 0, x2: 20, y2: 10)
        #expect(crop.width == 16 && crop.height == 10)
        #expect(crop.areas == [16])  // x from 4 to 8
        let bitmap = try poly.toBitmap()
        #expect(bitmap.areas == [24])
        let target = poly.cropAndResize(boxes: [2, 2, 8, 6], indices: [0], outHeight: 4, outWidth: 6)
        #expect(try target.toBitmap().areas == [24])
    }

    @Test func boxesRescaleClipAndFlip() {
        let b = HorizontalBoxes([1, 2, 11, 12, -3, 5, 30, 9])
        #expect(b.rescaled(x: 2, y: 0.5).values == [2, 1, 22, 6, -6, 2.5, 60, 4.5])
        #expect(b.clipped(height: 10, width: 20).values == [1, 2, 11, 10, 0, 5, 20, 9])
        #expect(b.flipped(.horizontal, height: 10, width: 20).values == [9, 2, 19, 12, -10, 5, 23, 9])
        #expect(b.flipped(.vertical, height: 10, width: 20).values == [1, -2, 11, 8, -3, 1, 30, 5])
        #expect(b.areas == [100, 132])
    }
}
