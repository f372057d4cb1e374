import Autograd

extension GradCases {
    /// roiAlign: aligned and not, adaptive and fixed sampling, RoIs on both images, across the
    /// border (samples clamped or outside), and a zero-size RoI. The output is linear in the
    /// features (the RoIs are constants, so bilinear kinks never matter): central differences
    /// are exact up to rounding.
    static var detection: [OpKind: [GradCase]] {
        let features = { (shape: [Int], seed: UInt64) in Inputs.randn(shape, seed: seed, scale: 0.5) }
        let rois = Tensor(shape: [5, 5], [
            0, 1.3, 2.1, 9.7, 8.9,     // inside, scale 0.5 -> about 4 x 3.4 feature pixels
            1, 0.2, 0.6, 5.1, 13.3,    // image 1, tall
            0, -3.7, -2.2, 4.9, 3.3,   // over the top-left border
            1, 8.1, 9.3, 15.7, 14.9,   // over the bottom-right border (clamped taps)
            0, 5.3, 5.3, 5.3, 5.3,     // zero size: empty grid when aligned with ratio 0
        ])
        return [
            .roiAlign: [
                GradCase(name: "aligned-ratio0-2x3", inputs: [features([2, 3, 7, 8], 60), rois]) {
                    $0[0].roiAlign(rois: $0[1], outputSize: (2, 3), spatialScale: 0.5)
                },
                GradCase(name: "aligned-ratio2-3x3", inputs: [features([2, 2, 7, 8], 61), rois]) {
                    $0[0].roiAlign(rois: $0[1], outputSize: (3, 3), spatialScale: 0.5, samplingRatio: 2)
                },
                GradCase(name: "unaligned-ratio0-2x2", inputs: [features([2, 2, 7, 8], 62), rois]) {
                    $0[0].roiAlign(rois: $0[1], outputSize: (2, 2), spatialScale: 0.5, aligned: false)
                },
                GradCase(name: "unaligned-ratio3-scale1", inputs: [features([2, 1, 9, 10], 63), rois]) {
                    $0[0].roiAlign(rois: $0[1], outputSize: (2, 2), spatialScale: 1, samplingRatio: 3, aligned: false)
                },
            ],
        ]
    }
}
