import Autograd
import Foundation
import Kernels
import Testing

/// The tape: accumulation into leaves, shared inputs, no-grad scope, detach, release.
@Suite struct AutogradEngineTests {
    @Test func gradientsAccumulateAcrossBackwardCalls() {
        let w = Tensor(shape: [3], [1, 2, 3], requiresGrad: true)
        (w * w).sum().backward()  // d/dw = 2w
        expectValues(w.grad!, [2, 4, 6], "first backward")
        (w * 3).sum().backward()
        expectValues(w.grad!, [5, 7, 9], "accumulated")
        w.zeroGrad()
        #expect(w.grad == nil)
    }

    @Test func sharedIntermediateSumsBothPaths() {
        let x = Tensor(shape: [2], [1, -2], requiresGrad: true)
        let y = x.exp()
        let z = (y * y + y).sum()  // dz/dx = (2y + 1) y
        z.backward()
        let e = x.scalars.map { v -> Float in let y = Foundation.exp(v); return (2 * y + 1) * y }
        expectValues(x.grad!, e, atol: 1e-4, "diamond graph")
    }

    @Test func backwardWithGivenGradient() {
        let x = Tensor(shape: [2, 2], [1, 2, 3, 4], requiresGrad: true)
        (x * 2).backward(Tensor(shape: [2, 2], [1, 0, -1, 0.5]))
        expectValues(x.grad!, [2, 0, -2, 1], "vector-Jacobian product")
    }

    @Test func noGradScopeRecordsNothing() {
        let x = Tensor(shape: [2], [1, 2], requiresGrad: true)
        let y = withNoGrad { x * x }
        #expect(!y.requiresGrad && y.gradFn == nil)
        let z = x * x
        #expect(z.requiresGrad && z.gradFn?.op == .mul)
    }

    @Test func detachCutsTheGraphButSharesStorage() {
        let x = Tensor(shape: [2], [1, 2], requiresGrad: true)
        let y = x * 3
        let d = y.detach()
        #expect(!d.requiresGrad && d.gradFn == nil)
        (d * x).sum().backward()  // treated as a constant
        expectValues(x.grad!, [3, 6], "detached factor is constant")
    }

    @Test func graphIsReleasedAfterBackward() {
        let x = Tensor(shape: [2], [1, 2], requiresGrad: true)
        let y = x.exp()
        let z = y.sum()
        let node = z.gradFn!
        z.backward()
        #expect(node.isReleased && node.inputCount == 0)
        #expect(y.gradFn!.isReleased)
    }

    @Test func unusedGraphIsFreedWithItsOutput() {
        // An op's node must not retain its own output (no retain cycle), or every forward pass
        // under grad mode would leak.
        let x = Tensor(shape: [4], [1, 2, 3, 4], requiresGrad: true)
        weak var weakOut: Tensor?
        weak var weakMid: Tensor?
        do {
            let mid = x.sigmoid()
            let out = (mid / x).softmax()
            weakOut = out
            weakMid = mid
            #expect(weakOut != nil)
        }
        #expect(weakOut == nil && weakMid == nil)
    }


    /// The graph keeps what backward rules read, not every intermediate: an activation no rule
    /// saved (the sum feeding a ReLU, which saves its output) is freed during the forward pass,
    /// and one a rule saved is freed once backward has applied that rule.
    @Test func activationsLiveOnlyWhileARuleNeedsThem() {
        let x = Tensor(shape: [4], [-1, 2, -3, 4], requiresGrad: true)
        weak var sumStorage: TensorStorage?
        weak var reluStorage: TensorStorage?
        var loss: Tensor
        do {
            let s = x + x  // add saves neither input nor output
            let r = s.relu()  // relu saves its output only
            sumStorage = s.storage
            reluStorage = r.storage
            loss = (r * Tensor(shape: [4], [1, 1, 1, 1])).sum()  // mul saves its inputs (r)
        }
        #expect(sumStorage == nil, "the ReLU input is not kept for backward")
        #expect(reluStorage != nil, "the ReLU output is saved by relu and mul")
        loss.backward()
        #expect(reluStorage == nil, "saved tensors go once their rules ran")
        expectValues(x.grad!, [0, 2, 0, 2], "d sum(relu(2x)) / dx")
    }
    @Test func creationHelpers() {
        expectValues(Tensor.arange(0, 5, step: 2), [0, 2, 4], "arange")
        expectValues(Tensor.full([2], 7), [7, 7], "full")
        var g1 = SeededGenerator(seed: 5), g2 = SeededGenerator(seed: 5)
        let a = Tensor.normal([100], using: &g1), b = Tensor.normal([100], using: &g2)
        #expect(a.scalars == b.scalars, "same seed, same samples")
        let u = Tensor.uniform([1000], low: -1, high: 1, using: &g1).scalars
        #expect(u.allSatisfy { $0 >= -1 && $0 < 1 })
        let m = a.scalars.reduce(0, +) / 100
        #expect(Swift.abs(m) < 0.35, "normal samples have mean near 0")
    }
}
