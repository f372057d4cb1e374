import Kernels

// switchNorm: Switchable Normalization (SwitchNorm2d of the SN authors), rules in
// Tests/Fixtures/ops/SN.md; forward and backward in Kernels/SwitchNorm.swift.

extension Tensor {
    /// Switchable Normalization of an (N, C, H, W) input: mean and variance are softmax-
    /// weighted mixtures of the instance, layer and (with BN) batch statistics, logits in the
    /// order (IN, LN, BN). BN is used when meanWeight/varWeight have 3 entries, and then the
    /// running statistics must be given; with 2 entries (IN, LN) they must be nil.
    ///
    /// Training updates the running statistics in place: with `usingMovingAverage`,
    /// r <- momentum * r + (1 - momentum) * batch (momentum = weight of the OLD value); without,
    /// running sums rm += mean_bn, rv += mean_bn^2 + var_bn. Eval uses the running statistics
    /// as the (constant) BN component; IN and LN still come from the input. With a `reducer`
    /// (synchronized SN in a job of several processes) the BN component in training is that of
    /// every process's batch joined.
    public func switchNorm(
        weight: Tensor, bias: Tensor, meanWeight: Tensor, varWeight: Tensor,
        runningMean: Tensor?, runningVar: Tensor?, training: Bool,
        usingMovingAverage: Bool = true, momentum: Float = 0.9, eps: Float = 1e-5, reducer: (any StatReducer)? = nil
    ) -> Tensor {
        checkInvariant(rank == 4, "switchNorm: input must be (N, C, H, W), got shape \(shape)")
        let (n, c, s) = normalizationView(.switchNorm)
        checkChannelVector(weight, "weight", c, .switchNorm)
        checkChannelVector(bias, "bias", c, .switchNorm)
        let k = meanWeight.count
        checkInvariant(
            (k == 2 || k == 3) && meanWeight.shape == [k] && varWeight.shape == [k],
            "switchNorm: meanWeight and varWeight must both be [3] (with BN) or [2], got \(meanWeight.shape) and \(varWeight.shape)")
        let usingBN = k == 3
        checkInvariant(
            (runningMean != nil) == usingBN && (runningVar != nil) == usingBN,
            "switchNorm: running statistics must be given exactly when using BN (3 logits), got \(k) logits")
        checkChannelVector(runningMean, "runningMean", c, .switchNorm)
        checkChannelVector(runningVar, "runningVar", c, .switchNorm)

        let out = Tensor(uninitialized: shape)
        let stats = SwitchNormKernel.forward(
            ptr, n: n, c: c, s: s, weight: weight.ptr, bias: bias.ptr,
            meanLogits: meanWeight.ptr, varLogits: varWeight.ptr, usingBN: usingBN,
            training: training, runningMean: runningMean?.ptr, runningVar: runningVar?.ptr,
            eps: eps, y: out.ptr, reduce: reducer.map { r in { r.allReduceSum(&$0) } })
        if training, let runningMean, let runningVar {
            runningMean.update { rm in
                runningVar.update { rv in
                    SwitchNormKernel.updateRunningStatistics(
                        stats, runningMean: rm.baseAddress!, runningVar: rv.baseAddress!,
                        usingMovingAverage: usingMovingAverage, momentum: momentum)
                }
            }
        }
        let inputs = [self, weight, bias, meanWeight, varWeight]
        return Tensor.record(.switchNorm, out, inputs: inputs) { g in
            let grads = inputs.map { $0.requiresGrad ? Tensor(uninitialized: $0.shape) : nil }
            SwitchNormKernel.backward(
                self.ptr, g.ptr, stats, weight: weight.ptr,
                dx: grads[0]?.ptr, dweight: grads[1]?.ptr, dbias: grads[2]?.ptr,
                dMeanLogits: grads[3]?.ptr, dVarLogits: grads[4]?.ptr, reduce: reducer.map { r in { r.allReduceSum(&$0) } })
            return grads
        }
    }
}
