import Autograd

extension GradCases {
    /// reshape, permute, concat, stack, slice.
    static var shapes: [OpKind: [GradCase]] {
        let x = { Inputs.randn([2, 3, 4], seed: 31) }
        return [
            // reshape and permute are followed by a mul so that layout mistakes change the loss.
            .reshape: [GradCase(name: "infer", inputs: [x(), Inputs.randn([4, 6], seed: 32)]) { $0[0].reshape([4, -1]) * $0[1] }],
            .permute: [
                GradCase(name: "rotate", inputs: [x()]) { $0[0].permute([2, 0, 1]) },
                GradCase(name: "transpose", inputs: [Inputs.randn([3, 5], seed: 33)]) { $0[0].transpose(0, 1) },
            ],
            .concat: [
                GradCase(name: "axis-1", inputs: [x(), Inputs.randn([2, 2, 4], seed: 34)]) { Tensor.concat($0, axis: 1) },
                GradCase(name: "axis-last", inputs: [x(), Inputs.randn([2, 3, 1], seed: 35)]) { Tensor.concat($0, axis: -1) },
            ],
            .stack: [
                GradCase(name: "axis-0", inputs: [x(), Inputs.randn([2, 3, 4], seed: 36)]) { Tensor.stack($0, axis: 0) },
                GradCase(name: "axis-2", inputs: [x(), Inputs.randn([2, 3, 4], seed: 37)]) { Tensor.stack($0, axis: 2) },
            ],
            .slice: [
                GradCase(name: "middle", inputs: [x()]) { $0[0].slice(axis: 1, start: 1, end: 3) },
                GradCase(name: "step-2", inputs: [x()]) { $0[0].slice(axis: 2, start: 0, end: 4, step: 2) },
                GradCase(name: "negative", inputs: [x()]) { $0[0].slice(axis: 0, start: -1, end: 2) },
            ],
        ]
    }
}
