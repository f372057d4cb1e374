import Autograd
import Foundation
import Testing

/// Losses against mmdetection fixtures (Tests/Fixtures/ops/losses.safetensors), hand-computed
/// values, and the relations between reductions.
@Suite struct LossesTests {
    // MARK: Fixtures

    /// The fixture's loss is shape [1]; ours is 0-d.
    private func expectLoss(_ out: Tensor, _ expected: Tensor, _ what: String) {
        #expect(out.shape == [], "\(what): reduced loss should be 0-d, is \(out.shape)")
        expectClose(Tensor(shape: [1], out.scalars), expected, rtol: 1e-5, atol: 1e-6, "\(what) loss")
    }

    @Test(arguments: [("ce_softmax_avg13", Float(13)), ("ce_softmax_mean", nil), ("ce_softmax_avg1", 1)])
    func crossEntropyFixture(name: String, avgFactor: Float?) throws {
        let f = try Fixtures.ops("losses.safetensors")
        let pred = try f.tensor("\(name).pred")
        pred.requiresGrad = true
        let out = Losses.crossEntropy(
            pred, try f.indices("\(name).label"), weight: try f.tensor("\(name).weight"),
            ignoreIndex: -100, reduction: .mean, avgFactor: avgFactor)
        expectLoss(out, try f.tensor("\(name).loss"), name)
        out.backward()
        expectClose(pred.grad!, try f.tensor("\(name).grad_pred"), "\(name) grad_pred")
    }

    @Test func bceRPNFixture() throws {
        let f = try Fixtures.ops("losses.safetensors")
        let pred = try f.tensor("bce_rpn.pred")  // (30, 1), weight (30): one weight per row
        pred.requiresGrad = true
        let out = Losses.binaryCrossEntropyWithLogits(
            pred, try f.tensor("bce_rpn.target"), weight: try f.tensor("bce_rpn.weight"), avgFactor: 24)
        expectLoss(out, try f.tensor("bce_rpn.loss"), "bce_rpn")
        out.backward()
        expectClose(pred.grad!, try f.tensor("bce_rpn.grad_pred"), "bce_rpn grad_pred")
    }

    @Test func bceMaskFixture() throws {
        let f = try Fixtures.ops("losses.safetensors")
        let pred = try f.tensor("bce_mask.pred")
        pred.requiresGrad = true
        let out = Losses.maskBinaryCrossEntropy(
            pred, target: try f.tensor("bce_mask.target"), labels: try f.indices("bce_mask.label"))
        expectLoss(out, try f.tensor("bce_mask.loss"), "bce_mask")
        out.backward()
        expectClose(pred.grad!, try f.tensor("bce_mask.grad_pred"), "bce_mask grad_pred")
    }

    @Test(arguments: [("l1", Float(0)), ("smooth_l1_beta1", 1), ("smooth_l1_beta1_9", Float(1.0 / 9.0))])
    func regressionFixture(name: String, beta: Float) throws {
        let f = try Fixtures.ops("losses.safetensors")
        let pred = try f.tensor("\(name).pred")
        pred.requiresGrad = true
        let target = try f.tensor("\(name).target"), weight = try f.tensor("\(name).weight")
        let out = beta == 0
            ? Losses.l1(pred, target, weight: weight, avgFactor: 7)
            : Losses.smoothL1(pred, target, beta: beta, weight: weight, avgFactor: 7)
        expectLoss(out, try f.tensor("\(name).loss"), name)
        out.backward()
        expectClose(pred.grad!, try f.tensor("\(name).grad_pred"), "\(name) grad_pred")
    }

    // MARK: Hand-computed values

    @Test func crossEntropyByHand() {
        // logits [0, ln 3]: softmax [1/4, 3/4]; target 1 -> -ln(3/4) = ln(4/3).
        let x = Tensor(shape: [2, 2], [0, Float(log(3.0)), 1, 2], requiresGrad: true)
        let single = Losses.crossEntropy(x, IndexTensor([1, 1]), reduction: .none)
        // row 1: logsumexp(1, 2) - 2 = ln(1 + e^-1)
        expectValues(single, [Float(log(4.0 / 3.0)), Float(log(1 + exp(-1.0)))], "CE per row")
        // The second row ignored: it still counts in the mean (mmdet avg_non_ignore False).
        let mean = Losses.crossEntropy(x, IndexTensor([1, -100]))
        expectValues(mean, [Float(log(4.0 / 3.0)) / 2], "CE mean with an ignored row")
        mean.backward()
        expectValues(x.grad!, [0.125, -0.125, 0, 0], "CE grad: (softmax - onehot) / 2, ignored row 0")
    }

    @Test func bceByHand() {
        // bce(0, 1) = ln 2; bce(ln 3, 0) = -ln(1 - 3/4) = ln 4; saturated logits stay finite.
        let x = Tensor(shape: [4], [0, Float(log(3.0)), 100, -100], requiresGrad: true)
        let t = Tensor(shape: [4], [1, 0, 1, 1])
        let none = Losses.binaryCrossEntropyWithLogits(x, t, reduction: .none)
        expectValues(none, [Float(log(2.0)), Float(log(4.0)), 0, 100], "BCE elementwise")
        let sum = Losses.binaryCrossEntropyWithLogits(x, t, reduction: .sum)
        sum.backward()
        expectValues(x.grad!, [-0.5, 0.75, 0, -1], "BCE grad: sigmoid(x) - t")
    }

    @Test func regressionByHand() {
        let p = Tensor(shape: [3], [1, -2, 0.5], requiresGrad: true)
        let t = Tensor(shape: [3], [0, 0, 0.5])
        expectValues(Losses.l1(p, t, reduction: .none), [1, 2, 0], "L1 elementwise")
        // |d| < beta -> 0.5 d^2 / beta, else |d| - 0.5 beta
        expectValues(Losses.smoothL1(p, t, beta: 1, reduction: .none), [0.5, 1.5, 0], "smooth L1 beta 1")
        expectValues(Losses.smoothL1(p, t, beta: 4, reduction: .none), [0.125, 0.5, 0], "smooth L1 beta 4")
        let l1 = Losses.l1(p, t)
        expectValues(l1, [1], "L1 mean")
        l1.backward()
        expectValues(p.grad!, [1.0 / 3, -1.0 / 3, 0], "L1 grad: sign(d) / n, 0 at d = 0")
        p.zeroGrad()
        Losses.smoothL1(p, t, beta: 4, reduction: .sum).backward()
        expectValues(p.grad!, [0.25, -0.5, 0], "smooth L1 grad: d / beta inside beta")
    }

    @Test func avgFactorAddsFloatEpsilon() {
        let p = Tensor(shape: [3], [1, -2, 0.5])
        let t = Tensor(shape: [3], [0, 0, 0.5])
        // sum 3 / (1 + 1.1920929e-07): visible in Float32, as mmdet's ce_softmax_avg1 fixture.
        let out = Losses.l1(p, t, avgFactor: 1)
        #expect(out.item == Float(3) / Float(1).nextUp)
        #expect(out.item < 3)
        #expect(Losses.l1(p, t, avgFactor: 2).item == Float(3) / (2 + Float.ulpOfOne))
        // avg_factor is ignored with reduction none, as in mmdet.
        expectValues(Losses.l1(p, t, reduction: .none, avgFactor: 2), [1, 2, 0], "none ignores avg_factor")
    }

    @Test func emptyRegressionMeanIsZero() {
        let p = Tensor.zeros([0, 4], requiresGrad: true)
        let out = Losses.smoothL1(p, Tensor.zeros([0, 4]))
        #expect(out.item == 0)
    }
}

/// How reduction none / sum / mean / avg_factor relate, the weight forms, and the tape.
@Suite struct LossReductionTests {
    /// Each loss as (pred, reduction, avgFactor) -> output, on fixed random inputs.
    static let losses: [(String, [Int], (Tensor, LossReduction, Float?) -> Tensor)] = {
        let target = Inputs.positive([5, 3], seed: 41, lo: 0, hi: 1, grad: false)
        let weight = Inputs.positive([5, 3], seed: 42, grad: false)
        let rowWeight = Inputs.positive([5], seed: 43, grad: false)
        let labels = IndexTensor([2, -100, 0, 1, 1])
        return [
            ("crossEntropy", [5], { Losses.crossEntropy($0, labels, weight: rowWeight, reduction: $1, avgFactor: $2) }),
            ("bce", [5, 3], { Losses.binaryCrossEntropyWithLogits($0, target, weight: weight, reduction: $1, avgFactor: $2) }),
            ("l1", [5, 3], { Losses.l1($0, target, weight: rowWeight, reduction: $1, avgFactor: $2) }),
            ("smoothL1", [5, 3], { Losses.smoothL1($0, target, beta: 0.3, weight: weight, reduction: $1, avgFactor: $2) }),
        ]
    }()

    @Test(arguments: 0..<4)
    func reductionsRelate(index: Int) {
        let (name, elementShape, f) = Self.losses[index]
        let pred = Inputs.randn([5, 3], seed: 44)
        let none = withNoGrad { f(pred, .none, nil) }
        #expect(none.shape == elementShape, "\(name): reduction none keeps the elementwise shape")
        let total = none.scalars.reduce(0, +)
        let n = Float(none.count)
        let sum = f(pred, .sum, nil), mean = f(pred, .mean, nil), avg = f(pred, .mean, 2.5)
        #expect(sum.shape == [] && mean.shape == [] && avg.shape == [])
        #expect(Swift.abs(sum.item - total) <= 1e-5 * Swift.abs(total), "\(name): sum")
        #expect(Swift.abs(mean.item - total / n) <= 1e-5 * Swift.abs(total / n), "\(name): mean over all elements")
        #expect(Swift.abs(avg.item - total / 2.5) <= 1e-5 * Swift.abs(total / 2.5), "\(name): avg_factor")
        // Gradients scale the same way: d(mean) = d(sum) / n, d(avg) = d(sum) / 2.5.
        func grad(_ r: LossReduction, _ a: Float?) -> Tensor {
            pred.zeroGrad()
            f(pred, r, a).backward()
            return pred.grad!
        }
        let gs = grad(.sum, nil)
        expectClose(grad(.mean, nil), Tensor(shape: gs.shape, gs.scalars.map { $0 / n }), "\(name): mean grad")
        expectClose(grad(.mean, 2.5), Tensor(shape: gs.shape, gs.scalars.map { $0 / 2.5 }), "\(name): avg grad")
        // backward of reduction none with an all-ones upstream gradient equals the sum's.
        pred.zeroGrad()
        f(pred, .none, nil).backward(Tensor.ones(elementShape))
        expectClose(pred.grad!, gs, "\(name): none grad with ones")
    }

    @Test(arguments: 0..<4)
    func oneFusedNodePerCall(index: Int) {
        let (name, _, f) = Self.losses[index]
        let pred = Inputs.randn([5, 3], seed: 45)
        let out = f(pred, .mean, nil)
        let expected: [OpKind] = [.crossEntropy, .binaryCrossEntropyWithLogits, .l1Loss, .smoothL1Loss]
        #expect(out.gradFn?.op == expected[index], "\(name): recorded op")
        #expect(out.gradFn?.inputCount == 1 && out.gradFn?.leafInputs.first === pred, "\(name): one node on pred")
        let constant = withNoGrad { f(pred, .mean, nil) }
        #expect(constant.gradFn == nil && !constant.requiresGrad, "\(name): nothing recorded under no-grad")
    }

    @Test func rowWeightsEqualExpandedWeights() {
        let pred = Inputs.randn([4, 3], seed: 46, grad: false)
        let target = Inputs.positive([4, 3], seed: 47, lo: 0, hi: 1, grad: false)
        let row: [Float] = [1, 0, 2, 0.5]
        let expanded = Tensor(shape: [4, 3], row.flatMap { [$0, $0, $0] })
        let full = Losses.binaryCrossEntropyWithLogits(pred, target, weight: expanded, reduction: .none)
        for w in [Tensor(shape: [4], row), Tensor(shape: [4, 1], row)] {
            expectClose(
                Losses.binaryCrossEntropyWithLogits(pred, target, weight: w, reduction: .none), full,
                "BCE weight \(w.shape)")
        }
        let rpn = Inputs.randn([4, 1], seed: 48, grad: false)
        let rpnTarget = Tensor(shape: [4, 1], [1, 0, 0, 1])
        expectClose(
            Losses.binaryCrossEntropyWithLogits(rpn, rpnTarget, weight: Tensor(shape: [4], row), reduction: .none),
            Losses.binaryCrossEntropyWithLogits(rpn, rpnTarget, weight: Tensor(shape: [4, 1], row), reduction: .none),
            "RPN (R, 1) logits with (R) weights")
    }

    @Test func avgFactorWithSumIsAProgrammerError() async throws {
        // The message survives a release build (checkInvariant, not precondition).
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Losses.l1(Tensor.zeros([2]), Tensor.zeros([2]), reduction: .sum, avgFactor: 2)
        }
        #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("avg"), "\(String(decoding: result.standardErrorContent, as: UTF8.self))")
    }
}
