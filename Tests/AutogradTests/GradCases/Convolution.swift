import Autograd

extension GradCases {
    /// conv2d, convTranspose2d, maxPool2d, interpolateNearest.
    static var convolution: [OpKind: [GradCase]] {
        let r = { (shape: [Int], seed: UInt64) in Inputs.randn(shape, seed: seed, scale: 0.5) }
        return [
            .conv2d: [
                GradCase(name: "3x3-pad1-bias", inputs: [r([2, 3, 5, 6], 1), r([4, 3, 3, 3], 2), r([4], 3)]) {
                    $0[0].conv2d(weight: $0[1], bias: $0[2], padding: 1)
                },
                GradCase(name: "3x3-stride2-nobias", inputs: [r([1, 3, 7, 6], 4), r([2, 3, 3, 3], 5)]) {
                    $0[0].conv2d(weight: $0[1], stride: 2, padding: 1)
                },
                GradCase(name: "3x3-dilation2", inputs: [r([1, 2, 7, 8], 6), r([3, 2, 3, 3], 7), r([3], 8)]) {
                    $0[0].conv2d(weight: $0[1], bias: $0[2], padding: 2, dilation: 2)
                },
                GradCase(name: "3x3-groups2", inputs: [r([2, 4, 5, 5], 9), r([6, 2, 3, 3], 10), r([6], 11)]) {
                    $0[0].conv2d(weight: $0[1], bias: $0[2], padding: 1, groups: 2)
                },
                GradCase(name: "1x1-direct-bias", inputs: [r([2, 4, 3, 5], 12), r([3, 4, 1, 1], 13), r([3], 14)]) {
                    $0[0].conv2d(weight: $0[1], bias: $0[2])
                },
                GradCase(name: "1x1-direct-groups2", inputs: [r([2, 4, 3, 3], 15), r([6, 2, 1, 1], 16)]) {
                    $0[0].conv2d(weight: $0[1], groups: 2)
                },
                GradCase(name: "1x1-stride2", inputs: [r([1, 3, 5, 6], 17), r([2, 3, 1, 1], 18)]) {
                    $0[0].conv2d(weight: $0[1], stride: 2)
                },
                GradCase(name: "7x7-stride2-frozen-weight",
                         inputs: [r([1, 2, 9, 8], 19), Inputs.randn([2, 2, 7, 7], seed: 20, scale: 0.5, grad: false)]) {
                    $0[0].conv2d(weight: $0[1], stride: 2, padding: 3)
                },
                GradCase(name: "3x3-input-no-grad",
                         inputs: [Inputs.randn([2, 2, 4, 5], seed: 21, grad: false), r([3, 2, 3, 3], 22), r([3], 23)]) {
                    $0[0].conv2d(weight: $0[1], bias: $0[2], padding: 1)
                },
            ],
            .convTranspose2d: [
                GradCase(name: "k2s2-bias", inputs: [r([2, 3, 3, 4], 30), r([3, 2, 2, 2], 31), r([2], 32)]) {
                    $0[0].convTranspose2d(weight: $0[1], bias: $0[2], stride: 2)
                },
                GradCase(name: "k3s2p1-nobias", inputs: [r([1, 2, 3, 4], 33), r([2, 3, 3, 3], 34)]) {
                    $0[0].convTranspose2d(weight: $0[1], stride: 2, padding: 1)
                },
                GradCase(name: "k3s1p1", inputs: [r([1, 2, 4, 4], 35), r([2, 2, 3, 3], 36), r([2], 37)]) {
                    $0[0].convTranspose2d(weight: $0[1], bias: $0[2], padding: 1)
                },
            ],
            .maxPool2d: [
                // Distinct inputs 0.05 apart: no ties, and eps 1e-3 never changes the argmax.
                GradCase(name: "3x3-s2-p1", inputs: [Inputs.distinct([2, 2, 7, 8], seed: 40)], eps: 1e-3) {
                    $0[0].maxPool2d(kernel: 3, stride: 2, padding: 1)
                },
                GradCase(name: "1x1-s2", inputs: [Inputs.distinct([1, 2, 5, 7], seed: 41)], eps: 1e-3) {
                    $0[0].maxPool2d(kernel: 1, stride: 2)
                },
                GradCase(name: "2x2-s1", inputs: [Inputs.distinct([1, 1, 4, 5], seed: 42)], eps: 1e-3) {
                    $0[0].maxPool2d(kernel: 2, stride: 1)
                },
            ],
            .avgPool2d: [
                // Odd sides: ceil mode adds a last window of one row/column, whose divisor
                // counts only its cells inside the input (count_include_pad false) or also the
                // padding.
                GradCase(name: "2x2-s2-ceil", inputs: [r([2, 2, 5, 7], 43)]) {
                    $0[0].avgPool2d(kernel: 2, stride: 2, ceilMode: true, countIncludePad: false)
                },
                GradCase(name: "3x3-s2-p1-ceil-pad", inputs: [r([1, 2, 6, 5], 44)]) {
                    $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true)
                },
                GradCase(name: "3x3-s1-floor", inputs: [r([1, 1, 4, 5], 45)]) { $0[0].avgPool2d(kernel: 3, stride: 1) },
            ],
            .interpolateNearest: [
                GradCase(name: "up2x", inputs: [r([1, 2, 3, 4], 50)]) { $0[0].interpolateNearest(size: (6, 8)) },
                GradCase(name: "to-7x9", inputs: [r([2, 2, 4, 5], 51)]) { $0[0].interpolateNearest(size: (7, 9)) },
                GradCase(name: "down-to-3x2", inputs: [r([1, 2, 5, 4], 52)]) { $0[0].interpolateNearest(size: (3, 2)) },
            ],
        ]
    }
}
