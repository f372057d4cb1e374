import Autograd

extension GradCases {
    /// crossEntropy, binaryCrossEntropyWithLogits (plain and mask form), l1Loss, smoothL1Loss:
    /// every reduction, weights, avg_factor, and an ignored label. Targets and weights are
    /// constants (no gradient).
    static var losses: [OpKind: [GradCase]] {
        [
            .crossEntropy: crossEntropyCases,
            .binaryCrossEntropyWithLogits: bceCases,
            .l1Loss: regressionCases { p, t, w, r, a in Losses.l1(p, t, weight: w, reduction: r, avgFactor: a) },
            .smoothL1Loss:
                regressionCases { p, t, w, r, a in
                    Losses.smoothL1(p, t, beta: 0.1, weight: w, reduction: r, avgFactor: a)
                }
                + [
                    // beta 1 with inputs on both sides of |d| = 1 (the kink is C1, so eps 1e-3 is fine)
                    GradCase(name: "beta1", inputs: [Inputs.randn([4, 4], seed: 31, scale: 1.5)], eps: 1e-3) {
                        Losses.smoothL1($0[0], Tensor.zeros([4, 4]), beta: 1, reduction: .sum)
                    }
                ],
        ]
    }

    private static var crossEntropyCases: [GradCase] {
        let logits = { Inputs.randn([6, 5], seed: 11) }
        let targets = IndexTensor([0, 4, 2, 1, 3, 2])
        let ignored = IndexTensor([0, -100, 2, 1, -100, 4])
        let weight = Inputs.positive([6], seed: 12, grad: false)
        return [
            GradCase(name: "mean", inputs: [logits()]) { Losses.crossEntropy($0[0], targets) },
            GradCase(name: "sum-weighted", inputs: [logits()]) {
                Losses.crossEntropy($0[0], targets, weight: weight, reduction: .sum)
            },
            GradCase(name: "none-ignored", inputs: [logits()]) {
                Losses.crossEntropy($0[0], ignored, reduction: .none)
            },
            GradCase(name: "mean-ignored", inputs: [logits()]) { Losses.crossEntropy($0[0], ignored) },
            GradCase(name: "avg-factor-weighted-ignore255", inputs: [logits()]) {
                Losses.crossEntropy(
                    $0[0], IndexTensor([255, 4, 2, 255, 3, 0]), weight: weight, ignoreIndex: 255,
                    avgFactor: 4.5)
            },
        ]
    }

    private static var bceCases: [GradCase] {
        let pred = { Inputs.randn([4, 3], seed: 21, scale: 2) }
        let soft = Inputs.positive([4, 3], seed: 22, lo: 0, hi: 1, grad: false)
        let weight = Inputs.positive([4, 3], seed: 23, grad: false)
        let rpnTarget = Tensor(shape: [8, 1], [1, 0, 0, 1, 0, 0, 1, 0])
        let rpnWeight = Tensor(shape: [8], [1, 1, 0, 1, 1, 0, 1, 1])
        let maskTarget = Tensor(shape: [3, 2, 2], [1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1])
        return [
            GradCase(name: "mean", inputs: [pred()]) { Losses.binaryCrossEntropyWithLogits($0[0], soft) },
            GradCase(name: "sum-weighted", inputs: [pred()]) {
                Losses.binaryCrossEntropyWithLogits($0[0], soft, weight: weight, reduction: .sum)
            },
            GradCase(name: "none-weighted", inputs: [pred()]) {
                Losses.binaryCrossEntropyWithLogits($0[0], soft, weight: weight, reduction: .none)
            },
            GradCase(name: "rpn-row-weight-avg-factor", inputs: [Inputs.randn([8, 1], seed: 24, scale: 2)]) {
                Losses.binaryCrossEntropyWithLogits($0[0], rpnTarget, weight: rpnWeight, avgFactor: 6)
            },
            GradCase(name: "mask", inputs: [Inputs.randn([3, 4, 2, 2], seed: 25, scale: 2)]) {
                Losses.maskBinaryCrossEntropy($0[0], target: maskTarget, labels: IndexTensor([2, 0, 3]))
            },
        ]
    }

    /// L1 / smooth L1 cases; pred - target stays >= 0.025 away from 0 and from beta 0.1.
    private static func regressionCases(
        _ f: @escaping (Tensor, Tensor, Tensor?, LossReduction, Float?) -> Tensor
    ) -> [GradCase] {
        let pred = { Inputs.distinct([3, 4], seed: 32) }
        let zero = Tensor.zeros([3, 4])
        let weight = Inputs.positive([3, 4], seed: 33, grad: false)
        let rowWeight = Tensor(shape: [3], [1, 0, 2])
        return [
            GradCase(name: "mean", inputs: [pred()], eps: 1e-3) { f($0[0], zero, nil, .mean, nil) },
            GradCase(name: "sum-weighted", inputs: [pred()], eps: 1e-3) { f($0[0], zero, weight, .sum, nil) },
            GradCase(name: "none-weighted", inputs: [pred()], eps: 1e-3) { f($0[0], zero, weight, .none, nil) },
            GradCase(name: "avg-factor-row-weight", inputs: [pred()], eps: 1e-3) {
                f($0[0], zero, rowWeight, .mean, 5)
            },
        ]
    }
}
