import Autograd

extension GradCases {
    /// batchNorm (train, eval, (N, C), with ReLU), groupNorm (several group counts, with ReLU), weightStandardization,
    /// scaledWeightStandardization (weight and gain),
    /// switchNorm (train with and without BN, running sums, eval).
    static var normalization: [OpKind: [GradCase]] {
        let x = { Inputs.randn([2, 3, 3, 4], seed: 21) }
        let w3 = { Inputs.randn([3], seed: 22) }
        let b3 = { Inputs.randn([3], seed: 23) }
        return [
            .batchNorm: batchNormCases(x: x, w: w3, b: b3),
            .groupNorm: groupNormCases(),
            .weightStandardization: [
                GradCase(name: "3x3", inputs: [Inputs.randn([4, 3, 3, 3], seed: 31)], eps: 1e-3) {
                    $0[0].weightStandardized()
                },
                GradCase(name: "1x1-grouped", inputs: [Inputs.randn([6, 2, 1, 1], seed: 32)], eps: 1e-3) {
                    $0[0].weightStandardized()
                },
            ],
            .scaledWeightStandardization: [
                // timm's scale gamma / sqrt(fan-in) for ReLU; gains away from 1 so dgain matters.
                GradCase(name: "3x3", inputs: [Inputs.randn([4, 3, 3, 3], seed: 33), Inputs.randn([4, 1, 1, 1], seed: 34)],
                         eps: 1e-3) {
                    $0[0].scaledWeightStandardized(gain: $0[1], scale: 1.7139588 / Float(27).squareRoot(), eps: 1e-5)
                },
                GradCase(name: "1x1-eps", inputs: [Inputs.randn([6, 2, 1, 1], seed: 35), Inputs.randn([6], seed: 36)], eps: 1e-3) {
                    $0[0].scaledWeightStandardized(gain: $0[1], scale: 0.5, eps: 0.1)
                },
            ],
            .switchNorm: switchNormCases(),
        ]
    }

    private static func batchNormCases(
        x: @escaping () -> Tensor, w: @escaping () -> Tensor, b: @escaping () -> Tensor
    ) -> [GradCase] {
        // The training case updates its running statistics on every call; they do not affect
        // the training output.
        let rm = Tensor.zeros([3]), rv = Tensor.ones([3])
        let evalMean = Tensor(shape: [3], [0.3, -0.2, 0.1]), evalVar = Tensor(shape: [3], [0.5, 1.5, 2])
        return [
            GradCase(name: "train", inputs: [x(), w(), b()], eps: 1e-3) {
                $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: rm, runningVar: rv, training: true)
            },
            GradCase(name: "train-no-affine", inputs: [x()], eps: 1e-3) {
                $0[0].batchNorm(weight: nil, bias: nil, runningMean: nil, runningVar: nil, training: true)
            },
            GradCase(name: "eval", inputs: [x(), w(), b()], eps: 1e-3) {
                $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: evalMean, runningVar: evalVar, training: false)
            },
            GradCase(name: "train-2d", inputs: [Inputs.randn([5, 3], seed: 24), w(), b()], eps: 1e-3) {
                $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: nil, runningVar: nil, training: true)
            },
            GradCase(name: "train-relu", inputs: [x(), w(), b()], eps: 1e-3) {
                $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: nil, runningVar: nil, training: true, relu: true)
            },
            GradCase(name: "eval-relu", inputs: [x(), w(), b()], eps: 1e-3) {
                $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: evalMean, runningVar: evalVar, training: false,
                                relu: true)
            },
        ]
    }

    private static func groupNormCases() -> [GradCase] {
        let x = { Inputs.randn([2, 6, 3, 3], seed: 25) }
        let w = { Inputs.randn([6], seed: 26) }
        let b = { Inputs.randn([6], seed: 27) }
        return [1, 2, 3, 6].map { groups in
            GradCase(name: "groups-\(groups)", inputs: [x(), w(), b()], eps: 1e-3) {
                $0[0].groupNorm(groups: groups, weight: $0[1], bias: $0[2])
            }
        } + [
            GradCase(name: "groups-2-relu", inputs: [x(), w(), b()], eps: 1e-3) {
                $0[0].groupNorm(groups: 2, weight: $0[1], bias: $0[2], relu: true)
            },
            GradCase(name: "offset-no-affine", inputs: [Inputs.randn([3, 4, 2, 3], seed: 28, scale: 2)], eps: 1e-3) {
                ($0[0] + 5).groupNorm(groups: 2, weight: nil, bias: nil)
            },
        ]
    }

    private static func switchNormCases() -> [GradCase] {
        let x = { Inputs.randn([3, 4, 2, 3], seed: 41) }
        let w = { Inputs.randn([4], seed: 42) }
        let b = { Inputs.randn([4], seed: 43) }
        let logits3 = { (seed: UInt64) in Inputs.randn([3], seed: seed) }
        let logits2 = { (seed: UInt64) in Inputs.randn([2], seed: seed) }
        let rm = Tensor.zeros([4]), rv = Tensor.ones([4])
        let evalMean = Tensor(shape: [4], [0.2, -0.1, 0, 0.3]), evalVar = Tensor(shape: [4], [0.8, 1.2, 1, 0.5])
        func sn(_ t: [Tensor], _ m: Tensor?, _ v: Tensor?, training: Bool, ma: Bool = true) -> Tensor {
            t[0].switchNorm(
                weight: t[1], bias: t[2], meanWeight: t[3], varWeight: t[4],
                runningMean: m, runningVar: v, training: training, usingMovingAverage: ma)
        }
        return [
            GradCase(name: "train-bn", inputs: [x(), w(), b(), logits3(44), logits3(45)], eps: 1e-3) {
                sn($0, rm, rv, training: true)
            },
            GradCase(name: "train-bn-running-sums", inputs: [x(), w(), b(), logits3(46), logits3(47)], eps: 1e-3) {
                sn($0, rm, rv, training: true, ma: false)
            },
            GradCase(name: "train-no-bn", inputs: [x(), w(), b(), logits2(48), logits2(49)], eps: 1e-3) {
                sn($0, nil, nil, training: true)
            },
            GradCase(name: "eval-bn", inputs: [x(), w(), b(), logits3(50), logits3(51)], eps: 1e-3) {
                sn($0, evalMean, evalVar, training: false)
            },
            GradCase(name: "eval-no-bn", inputs: [x(), w(), b(), logits2(52), logits2(53)], eps: 1e-3) {
                sn($0, nil, nil, training: false)
            },
        ]
    }
}
