import Autograd
import Foundation
import Testing

/// Forward results against values worked out by hand, one or more per op.
@Suite struct ElementwiseForwardTests {
    let a = Tensor(shape: [2, 2], [1, 2, 3, 4])
    let col = Tensor(shape: [2, 1], [10, 20])

    @Test func binaryOpsBroadcast() {
        expectValues(a + col, [11, 12, 23, 24], "add")
        expectValues(a - col, [-9, -8, -17, -16], "sub")
        expectValues(a * col, [10, 20, 60, 80], "mul")
        expectValues(col / a, [10, 5, 20.0 / 3, 5], "div")
        expectValues(Tensor(shape: [3], [1, 2, 3]) * 2, [2, 4, 6], "mul scalar")
        let rank3 = a + Tensor(shape: [1, 2, 1], [0, 1])  // (2,2) + (1,2,1) -> (1,2,2)
        #expect(rank3.shape == [1, 2, 2])
        expectValues(rank3, [1, 2, 4, 5], "add across ranks")
    }

    @Test func unaryMaps() {
        let x = Tensor(shape: [4], [-2, -0.5, 0.5, 4])
        expectValues(-x, [2, 0.5, -0.5, -4], "neg")
        expectValues(x.abs(), [2, 0.5, 0.5, 4], "abs")
        expectValues(x.relu(), [0, 0, 0.5, 4], "relu")
        expectValues(x.clamp(min: -1, max: 1), [-1, -0.5, 0.5, 1], "clamp")
        expectValues(x.pow(2), [4, 0.25, 0.25, 16], "pow")
        expectValues(Tensor(shape: [2], [4, 9]).sqrt(), [2, 3], "sqrt")
        expectValues(Tensor(shape: [2], [0, 1]).exp(), [1, Float(M_E)], "exp")
        expectValues(Tensor(shape: [2], [1, Float(M_E)]).log(), [0, 1], "log")
        expectValues(Tensor(shape: [3], [0, 100, -100]).sigmoid(), [0.5, 1, 0], "sigmoid saturates without NaN")
        // x / (1 + e^-x): torch.nn.functional.silu gives the same.
        expectValues(Tensor(shape: [6], [-20, -1, 0, 0.5, 3, 30]).silu(),
                     [-20 / (1 + Float(exp(20.0))), -0.26894142, 0, 0.31122967, 2.8577223, 30], "silu")
    }
}

@Suite struct ReductionForwardTests {
    // x[n, c, w] = 12n + 4c + w
    let x = Tensor(shape: [2, 3, 4], (0..<24).map(Float.init))

    @Test func sumAndMean() {
        expectValues(x.sum(), [276], shape: [], "sum all")
        expectValues(x.sum(axes: [0, 2]), [60, 92, 124], "sum over n, w")
        #expect(x.sum(axes: [0, 2], keepDim: true).shape == [1, 3, 1])
        expectValues(x.mean(axes: [2]), [1.5, 5.5, 9.5, 13.5, 17.5, 21.5], "mean over w")
    }

    @Test func maxAndArgmaxTakeTheFirstMaximum() {
        let t = Tensor(shape: [2, 3], [1, 5, 5, -1, -3, -2])
        let (v, i) = t.max(axis: 1)
        expectValues(v, [5, -1], "max")
        #expect(i.values == [1, 0])
    }

    @Test func softmaxAndLogSoftmax() {
        let t = Tensor(shape: [1, 3], [0, Float(log(2.0)), Float(log(5.0))])
        expectValues(t.softmax(), [0.125, 0.25, 0.625], "softmax")
        expectValues(t.logSoftmax(), [Float(log(0.125)), Float(log(0.25)), Float(log(0.625))], "log_softmax")
        // Large logits do not overflow.
        expectValues(Tensor(shape: [2], [1000, 1000]).softmax(), [0.5, 0.5], "softmax stable")
    }

    @Test func linearAndMatmul() {
        let w = Tensor(shape: [2, 2], [1, 0, 1, 1])  // rows are output units
        expectValues(a2.linear(weight: w, bias: Tensor(shape: [2], [0.5, -1])), [1.5, 2, 3.5, 6], "linear")
        expectValues(a2.matmul(w), [3, 2, 7, 4], "matmul")
    }
    let a2 = Tensor(shape: [2, 2], [1, 2, 3, 4])
}

@Suite struct ShapeForwardTests {
    let x = Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6])

    @Test func reshapePermuteTranspose() {
        #expect(x.reshape([3, -1]).shape == [3, 2])
        expectValues(x.transpose(0, 1), [1, 4, 2, 5, 3, 6], "transpose")
        let y = Tensor(shape: [2, 2, 2], (0..<8).map(Float.init)).permute([2, 0, 1])
        expectValues(y, [0, 2, 4, 6, 1, 3, 5, 7], "permute")
    }

    @Test func concatStackSlice() {
        expectValues(Tensor.concat([x, Tensor(shape: [2, 1], [7, 8])], axis: 1), [1, 2, 3, 7, 4, 5, 6, 8], "concat")
        let s = Tensor.stack([x, x * 10], axis: 1)
        #expect(s.shape == [2, 2, 3])
        expectValues(s, [1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60], "stack")
        expectValues(x.slice(axis: 1, start: 1, end: 3), [2, 3, 5, 6], "slice")
        expectValues(x.slice(axis: 1, start: 0, end: 3, step: 2), [1, 3, 4, 6], "slice step")
    }
}

@Suite struct IndexingForwardTests {
    let x = Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6])

    @Test func selectGatherScatter() {
        expectValues(x.indexSelect(axis: 1, [2, 0, 2]), [3, 1, 3, 6, 4, 6], "index_select")
        let idx = IndexTensor(shape: [2, 2], [2, 2, 0, 1])
        expectValues(x.gather(axis: 1, idx), [3, 3, 4, 5], "gather")
        let src = Tensor(shape: [2, 2], [10, 20, 30, 40])
        expectValues(x.scatterAdd(axis: 1, idx, src), [1, 2, 33, 34, 45, 6], "scatter_add (repeated index adds)")
    }

    @Test func whereAndMaskedFill() {
        let m = [true, false, true, false, false, true]
        expectValues(Tensor.where(m, x, x * -1), [1, -2, 3, -4, -5, 6], "where")
        expectValues(x.maskedFill(m, 0), [0, 2, 0, 4, 5, 0], "masked_fill")
    }
}
