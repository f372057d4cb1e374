import Kernels

extension BitmapMasks {
    /// Mask targets for RoIs (mmdet `BitmapMasks.crop_and_resize`, reference §4 "Mask
    /// targets"): for box `i`, mask `indices[i]` is sampled with mmcv's RoIAlign (spatial scale
    /// 1, `aligned=True`, `sampling_ratio=0`, average: the Kernels implementation shared with
    /// the model) into `outHeight x outWidth` floats, then thresholded at >= 0.5 when
    /// `binarize` (else the averages are returned as 0...1 floats). `boxes` are `x1, y1, x2, y2`
    /// per RoI, already clipped to the mask size by the caller as mmdet's `mask_target_single`
    /// does. Returns `count * outHeight * outWidth` floats.
    public func cropAndResize(
        boxes: [Float], indices: [Int], outHeight: Int, outWidth: Int, binarize: Bool = true
    ) -> [Float] {
        checkInvariant(boxes.count == 4 * indices.count, "cropAndResize: \(boxes.count / 4) boxes for \(indices.count) indices")
        var out = [Float](repeating: 0, count: indices.count * outHeight * outWidth)
        guard count > 0, !indices.isEmpty else { return out }
        // The referenced masks as float planes (N, 1, H, W), and RoIs into them.
        let used = Array(Set(indices)).sorted()
        let slot = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
        var planes = [Float](repeating: 0, count: used.count * height * width)
        for (k, m) in used.enumerated() {
            checkInvariant(m >= 0 && m < count, "cropAndResize: mask index \(m) out of 0..<\(count)")
            for (j, v) in mask(m).enumerated() { planes[k * height * width + j] = Float(v) }
        }
        var rois = [Float]()
        rois.reserveCapacity(5 * indices.count)
        for (r, m) in indices.enumerated() { rois += [Float(slot[m]!)] + boxes[(4 * r)..<(4 * r + 4)] }
        rois.withUnsafeBufferPointer { rp in
            let plan = RoIAlignPlan(rois: rp.baseAddress!, roiCount: indices.count, batch: used.count, channels: 1,
                                    height: height, width: width, outH: outHeight, outW: outWidth,
                                    spatialScale: 1, samplingRatio: 0, aligned: true)
            planes.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer { o in RoIAlignKernel.forward(xp.baseAddress!, plan, out: o.baseAddress!) }
            }
        }
        if binarize { for i in out.indices { out[i] = out[i] >= 0.5 ? 1 : 0 } }
        return out
    }
}
