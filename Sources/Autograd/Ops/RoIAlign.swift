import Kernels

// roiAlign: shape rule, forward (Kernels.RoIAlignKernel over a RoIAlignPlan) and backward.

extension Tensor {
    /// RoIAlign with average pooling, as mmcv.ops.roi_align (He et al., "Mask R-CNN"): the
    /// features of each RoI pooled to `outputSize` = (height, width) bins of bilinear samples.
    ///
    /// self: (N, C, H, W) features; rois: (R, 5) rows (batch index, x1, y1, x2, y2) in image
    /// pixels, mapped to the features by `spatialScale` (1 / stride); returns (R, C, oh, ow).
    /// `samplingRatio` 0 samples each bin on a ceil(size / out) grid per axis (mmdet's default),
    /// otherwise on a fixed samplingRatio x samplingRatio grid. `aligned` (mmdet's RoI
    /// extractor and mask targets) shifts the RoI by -0.5 pixel and allows any size; without it
    /// the RoI is at least one feature pixel wide and high. See `Kernels.RoIAlignKernel` for the
    /// sampling and border rules.
    ///
    /// The gradient flows to the features only: rois are constants (as in mmcv, whose RoIAlign
    /// returns no gradient for them).
    public func roiAlign(
        rois: Tensor, outputSize: (Int, Int), spatialScale: Float, samplingRatio: Int = 0, aligned: Bool = true
    ) -> Tensor {
        guard rank == 4, rois.rank == 2, rois.shape[1] == 5, outputSize.0 > 0, outputSize.1 > 0,
              samplingRatio >= 0, shape[2] > 0, shape[3] > 0 else {
            fatalError("roiAlign: features \(shape), rois \(rois.shape), outputSize \(outputSize), samplingRatio \(samplingRatio): expected non-empty (N, C, H, W) features, (R, 5) rois, a positive output size and samplingRatio >= 0")
        }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let plan = RoIAlignPlan(
            rois: rois.ptr, roiCount: rois.shape[0], batch: n, channels: c, height: h, width: w,
            outH: outputSize.0, outW: outputSize.1, spatialScale: spatialScale,
            samplingRatio: samplingRatio, aligned: aligned)
        let out = Tensor(uninitialized: [rois.shape[0], c, outputSize.0, outputSize.1])
        RoIAlignKernel.forward(ptr, plan, out: out.ptr)
        let inputShape = shape
        return Tensor.record(.roiAlign, out, inputs: [self]) { gradOut in
            let gx = Tensor(uninitialized: inputShape)
            RoIAlignKernel.backward(gradOut: gradOut.ptr, plan, gradX: gx.ptr)
            return [gx]
        }
    }
}
