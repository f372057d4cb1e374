import Kernels
extension PolygonMasks {
    /// Rasterized as mmdetection's `PolygonMasks.to_ndarray` does: each instance's parts
    /// rasterized with pycocotools' rule and merged (`RLE(polygons:)`), one 0/1 mask each.
    public func toBitmap() throws -> BitmapMasks {
        var data: [UInt8] = []
        data.reserveCapacity(count * height * width)
        for parts in polygons {
            let usable = parts.filter { $0.count >= 6 }
            if usable.isEmpty {
                data += [UInt8](repeating: 0, count: height * width)
            } else {
                data += try RLE(polygons: usable, height: height, width: width).decodeRowMajor()
            }
        }
        return BitmapMasks(height: height, width: width, data: data)
    }

    /// mmdetection's `PolygonMasks.crop_and_resize`: instance `indices[i]` moved to the origin of
    /// box `i` and scaled by `out / max(side, 1)` (side at least 0.1 for the scale), giving
    /// polygons on an `outHeight x outWidth` canvas. `toBitmap()` makes the mask targets.
    public func cropAndResize(boxes: [Float], indices: [Int], outHeight: Int, outWidth: Int) -> PolygonMasks {
        checkInvariant(boxes.count == 4 * indices.count, "cropAndResize: \(boxes.count / 4) boxes for \(indices.count) indices")
        guard count > 0 else { return PolygonMasks(height: outHeight, width: outWidth, polygons: []) }
        let out = indices.enumerated().map { i, m -> [[Double]] in
            let x1 = Double(boxes[4 * i]), y1 = Double(boxes[4 * i + 1])
            let w = max(Double(boxes[4 * i + 2]) - x1, 1), h = max(Double(boxes[4 * i + 3]) - y1, 1)
            let ws = Double(outWidth) / max(w, 0.1), hs = Double(outHeight) / max(h, 0.1)
            return polygons[m].map { p in
                p.enumerated().map { k, v in k % 2 == 0 ? (v - x1) * ws : (v - y1) * hs }
            }
        }
        return PolygonMasks(height: outHeight, width: outWidth, polygons: out)
    }
}
