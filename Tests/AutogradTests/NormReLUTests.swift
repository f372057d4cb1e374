import Autograd
import Testing

/// The fused norm + ReLU (`groupNorm(..., relu: true)`, `batchNorm(..., relu: true)`) against
/// the two ops it replaces: the same float operations in the same order, so the output and
/// every gradient must be equal bit for bit (the ReLU's mask is recomputed from the input,
/// NaN included, as ReLU's backward reads y > 0). The gradient checks are in GradCases.
@Suite struct NormReLUTests {
    /// Output and gradients of x, weight, bias for `upstream` through f, fused and not.
    private static func compare(
        _ name: String, shape: [Int], channels: Int, seed: UInt64,
        _ op: (Tensor, Tensor, Tensor, Bool) -> Tensor
    ) {
        var results: [[[Float]]] = []
        for fused in [false, true] {
            let x = Inputs.randn(shape, seed: seed)
            let w = Inputs.randn([channels], seed: seed + 1)
            let b = Inputs.randn([channels], seed: seed + 2, scale: 0.5)
            let y = fused ? op(x, w, b, true) : op(x, w, b, false).relu()
            y.backward(Inputs.randn(shape, seed: seed + 3, grad: false))
            results.append([y.scalars, x.grad!.scalars, w.grad!.scalars, b.grad!.scalars])
        }
        let zeros = results[0][0].filter { $0 == 0 }.count
        #expect(zeros > 0 && zeros < results[0][0].count, "\(name): the ReLU must cut some values and pass others")
        for (k, part) in ["output", "input gradient", "weight gradient", "bias gradient"].enumerated() {
            #expect(results[1][k] == results[0][k], "\(name): fused \(part) differs from norm then ReLU")
        }
    }

    @Test func groupNormReLUEqualsGroupNormThenReLU() {
        // 81 values per plane: the vector loops (8 at a time) and their scalar tails.
        for groups in [1, 2, 4] {
            Self.compare("groups \(groups)", shape: [2, 4, 9, 9], channels: 4, seed: 50 + UInt64(groups)) { x, w, b, relu in
                x.groupNorm(groups: groups, weight: w, bias: b, relu: relu)
            }
        }
    }

    @Test func batchNormReLUEqualsBatchNormThenReLU() {
        let rm = Tensor(shape: [3], [0.2, -0.1, 0.4]), rv = Tensor(shape: [3], [0.7, 1.3, 2.1])
        for training in [true, false] {
            Self.compare("training \(training)", shape: [2, 3, 5, 7], channels: 3, seed: 60) { x, w, b, relu in
                x.batchNorm(weight: w, bias: b, runningMean: training ? nil : rm, runningVar: training ? nil : rv,
                            training: training, relu: relu)
            }
        }
    }

    @Test func nanInputGivesTheSameGradientsAsReLU() {
        // At a NaN input both paths stop dy (y > 0 is false) and carry the NaN on the same way.
        for position in [4, 17] {  // in the vector loop, in the scalar tail of the second plane
            var values = Inputs.randn([1, 2, 3, 3], seed: 70, grad: false).scalars
            values[position] = .nan
            var grads: [[Float]] = []
            for fused in [false, true] {
                let x = Tensor(shape: [1, 2, 3, 3], values, requiresGrad: true)
                let w = Tensor.ones([2], requiresGrad: true), b = Tensor.zeros([2], requiresGrad: true)
                let rm = Tensor.zeros([2]), rv = Tensor.ones([2])
                let y = fused
                    ? x.batchNorm(weight: w, bias: b, runningMean: rm, runningVar: rv, training: false, relu: true)
                    : x.batchNorm(weight: w, bias: b, runningMean: rm, runningVar: rv, training: false).relu()
                #expect(y.scalars[position].isNaN)
                y.backward(Tensor.ones(y.shape))
                grads.append(x.grad!.scalars + w.grad!.scalars + b.grad!.scalars)
            }
            let same = zip(grads[0], grads[1]).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            #expect(same, "NaN at \(position): \(grads[0]) vs \(grads[1])")
        }
    }
}
