import Autograd

extension GradCases {
    /// add, sub, mul, div (with broadcasting), and the unary maps.
    static var elementwise: [OpKind: [GradCase]] {
        let a = { Inputs.randn([2, 3, 4], seed: 1) }
        let pos = { Inputs.positive([2, 3, 4], seed: 3) }
        func binary(_ f: @escaping (Tensor, Tensor) -> Tensor, positiveRHS: Bool = false) -> [GradCase] {
            let rhs = { positiveRHS ? Inputs.positive([2, 3, 4], seed: 5) : Inputs.randn([2, 3, 4], seed: 5) }
            let rhsRow = { positiveRHS ? Inputs.positive([3, 1], seed: 4) : Inputs.randn([3, 1], seed: 2) }
            return [
                GradCase(name: "same-shape", inputs: [a(), rhs()]) { f($0[0], $0[1]) },
                GradCase(name: "broadcast-rhs", inputs: [a(), rhsRow()]) { f($0[0], $0[1]) },
                GradCase(name: "broadcast-lhs", inputs: [Inputs.randn([4], seed: 6), rhs()]) { f($0[0], $0[1]) },
                GradCase(name: "scalar", inputs: [a()]) { f($0[0], Tensor(positiveRHS ? 1.5 : -0.7)) },
            ]
        }
        return [
            .add: binary(+),
            .sub: binary(-),
            .mul: binary(*),
            .div: binary(/, positiveRHS: true),
            .neg: [GradCase(name: "neg", inputs: [a()]) { -$0[0] }],
            .exp: [GradCase(name: "exp", inputs: [a()]) { $0[0].exp() }],
            .log: [GradCase(name: "log", inputs: [pos()], eps: 1e-3) { $0[0].log() }],
            .sqrt: [GradCase(name: "sqrt", inputs: [pos()], eps: 1e-3) { $0[0].sqrt() }],
            .pow: [
                GradCase(name: "square", inputs: [a()]) { $0[0].pow(2) },
                GradCase(name: "cube-root", inputs: [pos()], eps: 1e-3) { $0[0].pow(1.0 / 3) },
            ],
            .abs: [GradCase(name: "abs", inputs: [Inputs.distinct([2, 3, 4], seed: 7)], eps: 1e-3) { $0[0].abs() }],
            .clamp: [GradCase(name: "clamp", inputs: [Inputs.distinct([2, 3, 4], seed: 8)], eps: 1e-3) { $0[0].clamp(min: -0.3, max: 0.42) }],
            .relu: [GradCase(name: "relu", inputs: [Inputs.distinct([2, 3, 4], seed: 9)], eps: 1e-3) { $0[0].relu() }],
            .sigmoid: [GradCase(name: "sigmoid", inputs: [a()]) { $0[0].sigmoid() }],
            .silu: [GradCase(name: "silu", inputs: [Inputs.randn([2, 3, 4], seed: 10, scale: 3)], eps: 1e-3) { $0[0].silu() }],
        ]
    }
}
