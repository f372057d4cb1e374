import Autograd

extension GradCases {
    /// sum, mean, max, softmax, log_softmax.
    static var reductions: [OpKind: [GradCase]] {
        let x = { Inputs.randn([2, 3, 4], seed: 11) }
        return [
            .sum: [
                GradCase(name: "all", inputs: [x()]) { $0[0].sum() },
                GradCase(name: "axes-0-2-keepdim", inputs: [x()]) { $0[0].sum(axes: [0, 2], keepDim: true) },
                GradCase(name: "axis-1", inputs: [x()]) { $0[0].sum(axes: [1]) },
            ],
            .mean: [
                GradCase(name: "all", inputs: [x()]) { $0[0].mean() },
                GradCase(name: "last-axis", inputs: [x()]) { $0[0].mean(axes: [-1], keepDim: true) },
                GradCase(name: "axes-0-1", inputs: [x()]) { $0[0].mean(axes: [0, 1]) },
            ],
            .max: [
                GradCase(name: "axis-1", inputs: [Inputs.distinct([2, 3, 4], seed: 12)], eps: 1e-3) { $0[0].max(axis: 1).values },
                GradCase(name: "axis-last-keepdim", inputs: [Inputs.distinct([3, 5], seed: 13)], eps: 1e-3) { $0[0].max(axis: -1, keepDim: true).values },
            ],
            .softmax: [
                GradCase(name: "last", inputs: [x()]) { $0[0].softmax() },
                GradCase(name: "middle", inputs: [x()]) { $0[0].softmax(axis: 1) },
            ],
            .logSoftmax: [
                GradCase(name: "last", inputs: [x()]) { $0[0].logSoftmax() },
                GradCase(name: "first", inputs: [x()]) { $0[0].logSoftmax(axis: 0) },
            ],
        ]
    }

    /// matmul and linear.
    static var products: [OpKind: [GradCase]] {
        [
            .matmul: [
                GradCase(name: "2d", inputs: [Inputs.randn([3, 4], seed: 21), Inputs.randn([4, 5], seed: 22)]) { $0[0].matmul($0[1]) },
                GradCase(name: "batched", inputs: [Inputs.randn([2, 3, 4], seed: 23), Inputs.randn([2, 4, 2], seed: 24)]) { $0[0].matmul($0[1]) },
            ],
            .linear: [
                GradCase(name: "bias", inputs: [Inputs.randn([5, 4], seed: 25), Inputs.randn([3, 4], seed: 26), Inputs.randn([3], seed: 27)]) {
                    $0[0].linear(weight: $0[1], bias: $0[2])
                },
                GradCase(name: "no-bias", inputs: [Inputs.randn([2, 6], seed: 28), Inputs.randn([4, 6], seed: 29)]) {
                    $0[0].linear(weight: $0[1])
                },
            ],
        ]
    }
}
