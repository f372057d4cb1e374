import Autograd
import Testing

/// roiAlign, NMS, batched NMS and box IoU on small hand-computed cases.
@Suite struct DetectionOpsByHandTests {
    /// x[i, j] = 4 i + j on a 4 x 4 plane: bilinear samples of a linear function are exact,
    /// and the average of samples is the value at their mean position.
    static let ramp = Tensor(shape: [1, 1, 4, 4], (0..<16).map(Float.init))

    @Test func roiAlignInterior() {
        // aligned, scale 1: start 0.5, size 2, two 1-pixel bins per axis.
        let rois = Tensor(shape: [1, 5], [0, 1, 1, 3, 3])
        // ratio 0: one sample per bin, at 1 and 2; ratio 2: at 0.75 / 1.25 and 1.75 / 2.25.
        expectValues(Self.ramp.roiAlign(rois: rois, outputSize: (2, 2), spatialScale: 1), [5, 6, 9, 10], "ratio 0")
        expectValues(Self.ramp.roiAlign(rois: rois, outputSize: (2, 2), spatialScale: 1, samplingRatio: 2),
                     [5, 6, 9, 10], "ratio 2")
        // scale 0.5 on image coordinates twice as large.
        let scaled = Tensor(shape: [1, 5], [0, 2, 2, 6, 6])
        expectValues(Self.ramp.roiAlign(rois: scaled, outputSize: (2, 2), spatialScale: 0.5), [5, 6, 9, 10], "scale 0.5")
        // not aligned: no -0.5 shift, samples at 1.5 and 2.5.
        expectValues(Self.ramp.roiAlign(rois: rois, outputSize: (2, 2), spatialScale: 1, aligned: false),
                     [7.5, 8.5, 11.5, 12.5], "not aligned")
    }

    @Test func roiAlignBorders() {
        // Entirely beyond -1: every sample contributes 0.
        let outside = Tensor(shape: [1, 5], [0, -10, -10, -5, -5])
        expectValues(Self.ramp.roiAlign(rois: outside, outputSize: (1, 1), spatialScale: 1), [0], "outside")
        // Samples at 3 and 4 (ratio 2) on both axes: at or past the last row and column both taps
        // are the last pixel, 15.
        let corner = Tensor(shape: [1, 5], [0, 3, 3, 5, 5])
        expectValues(Self.ramp.roiAlign(rois: corner, outputSize: (1, 1), spatialScale: 1, samplingRatio: 2), [15], "corner")
        // Samples at -0.75 and -0.25 clamp to 0; at 0.25 and 0.75 they interpolate: mean 0.25.
        let topLeft = Tensor(shape: [1, 5], [0, -0.5, -0.5, 1.5, 1.5])
        expectValues(Self.ramp.roiAlign(rois: topLeft, outputSize: (1, 1), spatialScale: 1, samplingRatio: 4),
                     [0.25 * 4 + 0.25], "clamped at 0")
        // Zero size: aligned with ratio 0 has an empty grid (0); not aligned, it is 1 pixel wide.
        let point = Tensor(shape: [1, 5], [0, 1, 1, 1, 1])
        expectValues(Self.ramp.roiAlign(rois: point, outputSize: (1, 1), spatialScale: 1), [0], "empty grid")
        expectValues(Self.ramp.roiAlign(rois: point, outputSize: (1, 1), spatialScale: 1, aligned: false), [7.5], "1-pixel minimum")
    }

    @Test func roiAlignBatchAndBackward() throws {
        // Image 1 is image 0 plus 100; two channels (the second negated).
        let plane = (0..<16).map(Float.init)
        let x = Tensor(shape: [2, 2, 4, 4], plane + plane.map { -$0 } + plane.map { $0 + 100 } + plane.map { -$0 - 100 },
                       requiresGrad: true)
        let rois = Tensor(shape: [2, 5], [1, 1, 1, 3, 3, 0, 1, 1, 3, 3])
        let out = x.roiAlign(rois: rois, outputSize: (2, 2), spatialScale: 1)
        expectValues(out, [105, 106, 109, 110, -105, -106, -109, -110, 5, 6, 9, 10, -5, -6, -9, -10], "batch")
        // Samples at integer positions: each gradient lands on one pixel.
        out.backward(Tensor(shape: out.shape, (1...16).map(Float.init)))
        var expected = [Float](repeating: 0, count: 64)
        for (k, pixel) in [5, 6, 9, 10].enumerated() {
            expected[32 + pixel] = Float(1 + k)        // RoI 0 -> image 1, channel 0
            expected[48 + pixel] = Float(5 + k)        // image 1, channel 1
            expected[pixel] = Float(9 + k)             // RoI 1 -> image 0, channel 0
            expected[16 + pixel] = Float(13 + k)       // image 0, channel 1
        }
        expectValues(try #require(x.grad), expected, "grad")
    }

    @Test func roiAlignNoRoIs() throws {
        let x = Tensor.ones([1, 3, 4, 4], requiresGrad: true)
        let out = x.roiAlign(rois: Tensor.zeros([0, 5]), outputSize: (7, 7), spatialScale: 0.25)
        #expect(out.shape == [0, 3, 7, 7])
        out.backward(Tensor.zeros([0, 3, 7, 7]))
        expectValues(try #require(x.grad), [Float](repeating: 0, count: 48), "grad")
    }

    @Test func nmsByHand() {
        // A and B overlap with IoU 81 / 119 = 0.68; C is apart and scores highest.
        let boxes = Tensor(shape: [3, 4], [0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30])
        let scores = Tensor(shape: [3], [0.9, 0.8, 0.95])
        #expect(Detection.nms(boxes: boxes, scores: scores, iouThreshold: 0.5) == [2, 0])
        #expect(Detection.nms(boxes: boxes, scores: scores, iouThreshold: 0.7) == [2, 0, 1])
        // IoU exactly 1/3 does not suppress at threshold 1/3 (strict), does below it.
        let thirds = Tensor(shape: [2, 4], [0, 0, 2, 1, 1, 0, 3, 1])
        let two = Tensor(shape: [2], [0.5, 0.6])
        #expect(Detection.nms(boxes: thirds, scores: two, iouThreshold: 1.0 / 3) == [1, 0])
        #expect(Detection.nms(boxes: thirds, scores: two, iouThreshold: 0.33) == [1])
        // Equal scores: lower index first (and it suppresses the other).
        let same = Tensor(shape: [2], [0.5, 0.5])
        #expect(Detection.nms(boxes: Tensor(shape: [2, 4], [0, 0, 4, 4, 0, 0, 4, 4]), scores: same, iouThreshold: 0.5) == [0])
        // Two identical zero-area boxes: 0 / 0 is NaN, which never suppresses.
        #expect(Detection.nms(boxes: Tensor(shape: [2, 4], [1, 1, 1, 1, 1, 1, 1, 1]), scores: same, iouThreshold: 0.5) == [0, 1])
        #expect(Detection.nms(boxes: Tensor.zeros([0, 4]), scores: Tensor.zeros([0]), iouThreshold: 0.5) == [])
    }

    @Test func batchedNMSByHand() {
        let boxes = Tensor(shape: [3, 4], [0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30])
        let scores = Tensor(shape: [3], [0.9, 0.8, 0.95])
        // Different categories never suppress each other.
        #expect(Detection.batchedNMS(boxes: boxes, scores: scores, idxs: [0, 1, 0], iouThreshold: 0.5) == [2, 0, 1])
        #expect(Detection.batchedNMS(boxes: boxes, scores: scores, idxs: [4, 4, 4], iouThreshold: 0.5) == [2, 0])
        #expect(Detection.batchedNMS(boxes: boxes, scores: scores, idxs: [0, 1, 0], iouThreshold: 0.5,
                                     classAgnostic: true) == [2, 0])
        // mmcv's offset trick with coordinates <= -1: max coordinate 10, step 11, so box 1 of
        // category 1 lands exactly on box 0 and is suppressed; the split path (one NMS per
        // category) keeps it.
        let negative = Tensor(shape: [2, 4], [0, 0, 10, 10, -11, -11, -1, -1])
        let two = Tensor(shape: [2], [0.9, 0.8])
        expectValues(Detection.batchedNMSBoxes(boxes: negative, idxs: [0, 1]), [0, 0, 10, 10, 0, 0, 10, 10], "offset boxes")
        #expect(Detection.batchedNMS(boxes: negative, scores: two, idxs: [0, 1], iouThreshold: 0.5) == [0])
        #expect(Detection.batchedNMS(boxes: negative, scores: two, idxs: [0, 1], iouThreshold: 0.5, splitThreshold: 2) == [0, 1])
    }

    @Test func boxIoUByHand() {
        let a = Tensor(shape: [2, 4], [0, 0, 10, 10, 2, 2, 2, 2])
        let b = Tensor(shape: [3, 4], [5, 5, 15, 15, 20, 0, 30, 10, 2, 2, 2, 2])
        // inter 25, union 175; disjoint; a point inside a box; two identical points: 0 / eps.
        expectValues(Detection.boxIoU(a, b), [25.0 / 175, 0, 0, 0, 0, 0], atol: 1e-7, "iou")
        expectValues(Detection.boxIoU(a, b, mode: .iof), [0.25, 0, 0, 0, 0, 0], atol: 1e-7, "iof")
        let c = Tensor(shape: [2, 4], [0, 0, 10, 10, 0, 0, 4, 5])
        expectValues(Detection.boxIoU(c, c), [1, 0.2, 0.2, 1], atol: 1e-7, "self")
        expectValues(Detection.alignedBoxIoU(a, Tensor(shape: [2, 4], [5, 5, 15, 15, 0, 0, 1, 1])), [25.0 / 175, 0],
                     atol: 1e-7, "aligned")
        #expect(Detection.boxIoU(a, Tensor.zeros([0, 4])).shape == [2, 0])
    }
}
