import Autograd

extension GradCases {
    /// index_select, gather, scatter_add, where, masked_fill.
    static var indexing: [OpKind: [GradCase]] {
        let x = { Inputs.randn([3, 4], seed: 41) }
        let idx = IndexTensor(shape: [3, 2], [3, 0, 1, 1, 2, 0])  // repeats on row 1
        let mask = (0..<12).map { $0 % 3 == 0 }
        return [
            .indexSelect: [
                GradCase(name: "rows-repeat", inputs: [x()]) { $0[0].indexSelect(axis: 0, [2, 0, 2]) },
                GradCase(name: "cols", inputs: [x()]) { $0[0].indexSelect(axis: 1, [3, 1]) },
            ],
            .gather: [GradCase(name: "axis-1", inputs: [x()]) { $0[0].gather(axis: 1, idx) }],
            .scatterAdd: [
                GradCase(name: "axis-1", inputs: [x(), Inputs.randn([3, 2], seed: 42)]) { $0[0].scatterAdd(axis: 1, idx, $0[1]) },
            ],
            .where: [GradCase(name: "mask", inputs: [x(), Inputs.randn([3, 4], seed: 43)]) { Tensor.where(mask, $0[0], $0[1]) }],
            .maskedFill: [GradCase(name: "mask", inputs: [x()]) { $0[0].maskedFill(mask, -2) }],
        ]
    }
}
