import Kernels

// batchNorm (mmcv BN, frozen BN in eval), groupNorm (mmcv GN), weightStandardized (mmcv ConvWS),
// scaledWeightStandardized (timm ScaledStdConv2d).
// Each: shape rule, forward (Kernels/BatchNorm.swift, GroupNorm.swift, WeightStandardization.swift)
// and backward rule side by side.

extension Tensor {
    /// (N, C, S) view of an (N, C, ...) input, S = product of the trailing dims.
    func normalizationView(_ op: OpKind) -> (n: Int, c: Int, s: Int) {
        checkInvariant(rank >= 2, "\(op): input must be (N, C, ...), got shape \(shape)")
        return (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
    }

    /// Checks that an optional per-channel tensor has shape [c].
    func checkChannelVector(_ t: Tensor?, _ name: String, _ c: Int, _ op: OpKind) {
        guard let t else { return }
        checkInvariant(t.shape == [c], "\(op): \(name) must have shape [\(c)] for input \(shape), got \(t.shape)")
    }

    /// Gradients for [x, weight?, bias?] in the order the inputs were recorded.
    static func affineGrads(_ gx: Tensor?, _ weight: Tensor?, _ gw: Tensor?, _ bias: Tensor?, _ gb: Tensor?) -> [Tensor?] {
        var grads: [Tensor?] = [gx]
        if weight != nil { grads.append(gw) }
        if bias != nil { grads.append(gb) }
        return grads
    }

    /// Batch normalisation of (N, C, H, W) or (N, C) input, as torch.nn.functional.batch_norm.
    /// Training: batch mean and biased variance over (N, H, W); the running statistics (when
    /// given) are updated in place with rm <- (1 - m) rm + m mean, rv <- (1 - m) rv + m
    /// unbiased var. Eval: the running statistics are used as constants (mmdetection's frozen
    /// BN). weight/bias nil means 1/0. No graph goes through the running statistics.
    /// With a `reducer` (SyncBN in a job of several processes) the training statistics are
    /// those of every process's batch joined, as is the input gradient's reduction; the
    /// running statistics then stay equal on every process.
    /// With `relu`, ReLU of the result in the same op (one pass forward and backward; the
    /// ReLU's mask is recomputed from the input, weight and bias, so nothing more is saved:
    /// like the input, they must not change between forward and backward).
    public func batchNorm(
        weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
        training: Bool, momentum: Float = 0.1, eps: Float = 1e-5, reducer: (any StatReducer)? = nil,
        relu: Bool = false
    ) -> Tensor {
        let (n, c, s) = normalizationView(.batchNorm)
        checkChannelVector(weight, "weight", c, .batchNorm)
        checkChannelVector(bias, "bias", c, .batchNorm)
        checkChannelVector(runningMean, "runningMean", c, .batchNorm)
        checkChannelVector(runningVar, "runningVar", c, .batchNorm)
        checkInvariant(
            (runningMean == nil) == (runningVar == nil),
            "batchNorm: give both running statistics or neither")
        let out = Tensor(uninitialized: shape)
        var mean = [Float](repeating: 0, count: c)
        var rstd = [Float](repeating: 0, count: c)
        var count = n * s
        if training {
            var variance = [Float](repeating: 0, count: c)
            let exchange = reducer.map { r in
                { (planeMean: [Double], planeM2: [Double]) -> (mean: [Double], m2: [Double], size: [Int]) in
                    // Each process's plane count and plane size, then its means and M2s.
                    let shapes = r.allGather([Double(planeMean.count), Double(s)])
                    let all = r.allGather(planeMean + planeM2)
                    var means: [Double] = [], m2s: [Double] = [], sizes: [Int] = []
                    var start = 0
                    for k in stride(from: 0, to: shapes.count, by: 2) {
                        let planes = Int(shapes[k])
                        means += all[start..<(start + planes)]
                        m2s += all[(start + planes)..<(start + 2 * planes)]
                        sizes += [Int](repeating: Int(shapes[k + 1]), count: planes)
                        start += 2 * planes
                    }
                    return (means, m2s, sizes)
                }
            }
            count = BatchNormKernel.forwardTraining(
                ptr, n: n, c: c, s: s, weight: weight?.ptr, bias: bias?.ptr, eps: eps, relu: relu, y: out.ptr,
                saveMean: &mean, saveRstd: &rstd, biasedVariance: &variance, exchange: exchange)
            checkInvariant(count > 1, "batchNorm: training needs more than 1 value per channel, input \(shape)")
            if let runningMean, let runningVar {
                runningMean.update { rm in
                    runningVar.update { rv in
                        BatchNormKernel.updateRunningStatistics(
                            runningMean: rm.baseAddress!, runningVar: rv.baseAddress!,
                            mean: mean, biasedVariance: variance, c: c, count: count, momentum: momentum)
                    }
                }
            }
        } else {
            guard let runningMean, let runningVar else {
                fatalError("batchNorm: eval mode needs runningMean and runningVar (input \(shape))")
            }
            BatchNormKernel.forwardEval(
                ptr, n: n, c: c, s: s, runningMean: runningMean.ptr, runningVar: runningVar.ptr,
                weight: weight?.ptr, bias: bias?.ptr, eps: eps, relu: relu, y: out.ptr, saveMean: &mean, saveRstd: &rstd)
        }
        let inputs = [self] + [weight, bias].compactMap { $0 }
        return Tensor.record(.batchNorm, out, inputs: inputs) { g in
            let gx = self.requiresGrad ? Tensor(uninitialized: self.shape) : nil
            let gw = weight?.requiresGrad == true ? Tensor(uninitialized: [c]) : nil
            let gb = bias?.requiresGrad == true ? Tensor(uninitialized: [c]) : nil
            BatchNormKernel.backward(
                self.ptr, g.ptr, n: n, c: c, s: s, mean: mean, rstd: rstd, weight: weight?.ptr,
                bias: bias?.ptr, relu: relu, training: training, dx: gx?.ptr, dweight: gw?.ptr, dbias: gb?.ptr,
                count: count, reduce: reducer.map { r in { r.allReduceSum(&$0) } })
            return Tensor.affineGrads(gx, weight, gw, bias, gb)
        }
    }

    /// Group normalisation of (N, C, ...) input, as torch.nn.functional.group_norm: mean and
    /// biased variance per sample over each group of C/groups channels. weight/bias nil means
    /// 1/0. With `relu`, ReLU of the result in the same op, as `batchNorm`'s.
    public func groupNorm(groups: Int, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5, relu: Bool = false) -> Tensor {
        let (n, c, s) = normalizationView(.groupNorm)
        checkInvariant(
            groups > 0 && c % groups == 0,
            "groupNorm: \(c) channels of input \(shape) are not divisible into \(groups) groups")
        checkChannelVector(weight, "weight", c, .groupNorm)
        checkChannelVector(bias, "bias", c, .groupNorm)
        let out = Tensor(uninitialized: shape)
        var mean = [Float](repeating: 0, count: n * groups)
        var rstd = [Float](repeating: 0, count: n * groups)
        GroupNormKernel.forward(
            ptr, n: n, c: c, s: s, groups: groups, weight: weight?.ptr, bias: bias?.ptr, eps: eps, relu: relu,
            y: out.ptr, saveMean: &mean, saveRstd: &rstd)
        let inputs = [self] + [weight, bias].compactMap { $0 }
        return Tensor.record(.groupNorm, out, inputs: inputs) { g in
            let gx = self.requiresGrad ? Tensor(uninitialized: self.shape) : nil
            let gw = weight?.requiresGrad == true ? Tensor(uninitialized: [c]) : nil
            let gb = bias?.requiresGrad == true ? Tensor(uninitialized: [c]) : nil
            GroupNormKernel.backward(
                self.ptr, g.ptr, n: n, c: c, s: s, groups: groups, mean: mean, rstd: rstd,
                weight: weight?.ptr, bias: bias?.ptr, relu: relu, dx: gx?.ptr, dweight: gw?.ptr, dbias: gb?.ptr)
            return Tensor.affineGrads(gx, weight, gw, bias, gb)
        }
    }

    /// The statistics group normalisation uses: mean and rstd = 1 / sqrt(biased var + eps) per
    /// (sample, group), each of shape [N, groups] (aten's native_group_norm saves the same).
    /// Not recorded.
    public func groupNormStatistics(groups: Int, eps: Float = 1e-5) -> (mean: Tensor, rstd: Tensor) {
        let (n, c, s) = normalizationView(.groupNorm)
        checkInvariant(
            groups > 0 && c % groups == 0,
            "groupNorm: \(c) channels of input \(shape) are not divisible into \(groups) groups")
        let mean = Tensor(uninitialized: [n, groups]), rstd = Tensor(uninitialized: [n, groups])
        GroupNormKernel.statistics(ptr, n: n, c: c, s: s, groups: groups, eps: eps, mean: mean.ptr, rstd: rstd.ptr)
        return (mean, rstd)
    }

    /// Weight standardisation of a conv weight (Cout, Cin/groups, kh, kw), as mmcv ConvWS2d:
    /// per output channel, (w - mean) / (std + eps) with the unbiased std. Use it as
    /// `x.conv2d(weight: w.weightStandardized(), ...)`.
    public func weightStandardized(eps: Float = 1e-5) -> Tensor {
        checkInvariant(rank >= 2, "weightStandardization: weight must be (Cout, Cin/groups, ...), got \(shape)")
        let rows = shape[0], k = shape.dropFirst().reduce(1, *)
        let out = Tensor(uninitialized: shape)
        var mean = [Float](repeating: 0, count: rows)
        var std = [Float](repeating: 0, count: rows)
        WeightStandardizationKernel.forward(ptr, rows: rows, k: k, eps: eps, out: out.ptr, saveMean: &mean, saveStd: &std)
        return Tensor.record(.weightStandardization, out, inputs: [self]) { g in
            let gw = Tensor(uninitialized: self.shape)
            WeightStandardizationKernel.backward(
                self.ptr, g.ptr, rows: rows, k: k, eps: eps, mean: mean, std: std, dw: gw.ptr)
            return [gw]
        }
    }

    /// Scaled weight standardisation of a conv weight (Cout, Cin/groups, kh, kw) with a learned
    /// per-output gain (Cout elements, any shape), as timm's ScaledStdConv2d: per output
    /// channel, gain * scale * (w - mean) / sqrt(var + eps) with the biased variance; timm's
    /// scale is gamma / sqrt(fan-in). Differentiable in the weight and the gain.
    public func scaledWeightStandardized(gain: Tensor, scale: Float, eps: Float) -> Tensor {
        checkInvariant(rank >= 2 && gain.count == shape[0],
                       "scaledWeightStandardization: weight \(shape) (Cout, Cin/groups, ...) with gain \(gain.shape) of Cout elements")
        let rows = shape[0], k = shape.dropFirst().reduce(1, *)
        let out = Tensor(uninitialized: shape)
        var mean = [Float](repeating: 0, count: rows)
        var rstd = [Float](repeating: 0, count: rows)
        ScaledWeightStandardizationKernel.forward(ptr, gain: gain.ptr, rows: rows, k: k, scale: scale, eps: eps,
                                                  out: out.ptr, saveMean: &mean, saveRstd: &rstd)
        let gainValue = gain.detach()
        return Tensor.record(.scaledWeightStandardization, out, inputs: [self, gain]) { g in
            let gw = Tensor(uninitialized: self.shape), gg = Tensor(uninitialized: gainValue.shape)
            ScaledWeightStandardizationKernel.backward(
                self.ptr, g.ptr, gain: gainValue.ptr, rows: rows, k: k, scale: scale, mean: mean, rstd: rstd,
                dw: gw.ptr, dgain: gg.ptr)
            return [gw, gg]
        }
    }
}
