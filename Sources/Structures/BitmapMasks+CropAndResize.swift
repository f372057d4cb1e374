extension BitmapMasks {
    /// Mask targets for RoIs (mmdet `BitmapMasks.crop_and_resize`, reference §4 "Mask
    /// targets"): for box `i`, mask `indices[i]` is sampled with mmcv's RoIAlign (spatial scale
    /// 1, `aligned=True`, `sampling_ratio=0`, average) into `outHeight x outWidth` floats, then
    /// thresholded at >= 0.5 when `binarize` (else the averages are returned as 0...1 floats).
    /// `boxes` are `x1, y1, x2, y2` per RoI, already clipped to the mask size by the caller as
    /// mmdet's `mask_target_single` does. Returns `count * outHeight * outWidth` floats.
    public func cropAndResize(
        boxes: [Float], indices: [Int], outHeight: Int, outWidth: Int, binarize: Bool = true
    ) -> [Float] {
        precondition(boxes.count == 4 * indices.count, "cropAndResize: \(boxes.count / 4) boxes for \(indices.count) indices")
        var out = [Float](repeating: 0, count: indices.count * outHeight * outWidth)
        guard count > 0 else { return out }
        var plane = [Float](repeating: 0, count: height * width)
        for (r, m) in indices.enumerated() {
            precondition(m >= 0 && m < count, "cropAndResize: mask index \(m) out of 0..<\(count)")
            let src = mask(m)
            for (k, v) in src.enumerated() { plane[k] = Float(v) }
            let box = (boxes[4 * r], boxes[4 * r + 1], boxes[4 * r + 2], boxes[4 * r + 3])
            plane.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { o in
                    RoIAlignSingle.forward(
                        plane: p.baseAddress!, height: height, width: width, box: box,
                        outHeight: outHeight, outWidth: outWidth,
                        into: o.baseAddress! + r * outHeight * outWidth)
                }
            }
        }
        if binarize { for i in out.indices { out[i] = out[i] >= 0.5 ? 1 : 0 } }
        return out
    }
}

/// mmcv's RoIAlign forward (aligned=True, sampling_ratio=0, avg) on one single-channel plane,
/// with its Float32 operation order (the Caffe2/Detectron2 CPU kernel), for mask targets.
enum RoIAlignSingle {
    // plane: (H, W); out: (outH, outW)
    static func forward(
        plane: UnsafePointer<Float>, height: Int, width: Int, box: (Float, Float, Float, Float),
        outHeight: Int, outWidth: Int, into out: UnsafeMutablePointer<Float>
    ) {
        let startW = box.0 - 0.5, startH = box.1 - 0.5
        let roiW = (box.2 - 0.5) - startW, roiH = (box.3 - 0.5) - startH
        let binH = roiH / Float(outHeight), binW = roiW / Float(outWidth)
        let gridH = max(Int((roiH / Float(outHeight)).rounded(.up)), 0)
        let gridW = max(Int((roiW / Float(outWidth)).rounded(.up)), 0)
        let count = Float(max(gridH * gridW, 1))
        for ph in 0..<outHeight {
            for pw in 0..<outWidth {
                var acc: Float = 0
                for iy in 0..<gridH {
                    let y = startH + Float(ph) * binH + (Float(iy) + 0.5) * binH / Float(gridH)
                    for ix in 0..<gridW {
                        let x = startW + Float(pw) * binW + (Float(ix) + 0.5) * binW / Float(gridW)
                        acc += bilinear(plane, height, width, y, x)
                    }
                }
                out[ph * outWidth + pw] = acc / count
            }
        }
    }

    @inline(__always)
    static func bilinear(_ p: UnsafePointer<Float>, _ height: Int, _ width: Int, _ y0: Float, _ x0: Float) -> Float {
        if y0 < -1 || y0 > Float(height) || x0 < -1 || x0 > Float(width) { return 0 }
        var y = max(y0, 0), x = max(x0, 0)
        var yLow = Int(y), xLow = Int(x), yHigh: Int, xHigh: Int
        if yLow >= height - 1 { yLow = height - 1; yHigh = yLow; y = Float(yLow) } else { yHigh = yLow + 1 }
        if xLow >= width - 1 { xLow = width - 1; xHigh = xLow; x = Float(xLow) } else { xHigh = xLow + 1 }
        let ly = y - Float(yLow), lx = x - Float(xLow)
        let hy = 1 - ly, hx = 1 - lx
        let w1 = hy * hx, w2 = hy * lx, w3 = ly * hx, w4 = ly * lx
        return w1 * p[yLow * width + xLow] + w2 * p[yLow * width + xHigh]
            + w3 * p[yHigh * width + xLow] + w4 * p[yHigh * width + xHigh]
    }
}
