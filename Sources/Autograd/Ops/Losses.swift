import Kernels

// crossEntropy, binaryCrossEntropyWithLogits, l1Loss, smoothL1Loss: one fused node per call,
// with mmdetection 3.x semantics (mmdet/models/losses: cross_entropy_loss.py,
// smooth_l1_loss.py, utils.py weight_reduce_loss). Targets and weights are constants: the
// gradient flows to the prediction only.

/// How a loss's elementwise values are reduced, as mmdetection's `reduction`.
public enum LossReduction: Sendable {
    case none, mean, sum
}

/// The reduction step of mmdet's weight_reduce_loss (applied after the weights): none keeps the
/// elementwise losses; sum; mean over all elements, or sum / (avg_factor + eps) with an
/// avg_factor, eps being Float32 machine epsilon.
struct LossReducer {
    let reduction: LossReduction
    /// Forward: sum / divisor (mean and avg_factor); 1 for sum and none.
    let divisor: Float

    init(_ op: OpKind, _ reduction: LossReduction, avgFactor: Float?, count: Int, emptyMeanIsZero: Bool = false) {
        self.reduction = reduction
        switch (reduction, avgFactor) {
        case (.sum, let a?):
            fatalError("\(op): avg_factor (\(a)) cannot be used with reduction sum (as mmdet weight_reduce_loss)")
        case (.none, _), (.sum, nil):
            divisor = 1  // mmdet ignores avg_factor with reduction none
        case (.mean, nil):
            // A mean over no elements is NaN (0 / 0) as in torch, except where mmdet returns 0.
            divisor = count == 0 && emptyMeanIsZero ? 1 : Float(count)
        case (.mean, let a?):
            divisor = a + Float.ulpOfOne
        }
    }

    /// `elementwise` itself for none, else the 0-d tensor sum / divisor.
    func reduce(_ elementwise: Tensor) -> Tensor {
        if reduction == .none { return elementwise }
        return Tensor(LossKernels.sum(elementwise.ptr, count: elementwise.count) / divisor)
    }

    /// Stride of the upstream gradient over elements: 1 unreduced, 0 for a reduced scalar.
    var gradStride: Int { reduction == .none ? 1 : 0 }
    /// d(output) / d(elementwise loss) for a reduced output.
    var gradScale: Float { reduction == .none ? 1 : 1 / divisor }
}

/// mmdetection's loss functions as fused autograd ops (CrossEntropyLoss, L1Loss, SmoothL1Loss).
/// Every loss takes an optional weight, a `reduction` and an optional `avgFactor`; see
/// `LossReducer` for the reduction rules.
public enum Losses {
    /// Softmax cross-entropy of `logits` (R, C) against class indices `targets` (R), as
    /// mmdet's cross_entropy with avg_non_ignore False: rows whose target is `ignoreIndex` get
    /// loss 0 and gradient 0 but still count in the mean. `weight` (R) scales each row.
    /// Reduction none returns the (R) per-row losses.
    public static func crossEntropy(
        _ logits: Tensor, _ targets: IndexTensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
        reduction: LossReduction = .mean, avgFactor: Float? = nil
    ) -> Tensor {
        let op = OpKind.crossEntropy
        guard logits.rank == 2 else { fatalError("\(op): logits must be (R, C), got shape \(logits.shape)") }
        let rows = logits.dim(0), classes = logits.dim(1)
        checkInvariant(targets.shape == [rows], "\(op): targets shape \(targets.shape) != [\(rows)] for logits \(logits.shape)")
        for t in targets.values where t != ignoreIndex && !(0..<classes).contains(t) {
            fatalError("\(op): target \(t) outside [0, \(classes)) and not ignoreIndex \(ignoreIndex)")
        }
        if let weight {
            checkInvariant(weight.shape == [rows], "\(op): weight shape \(weight.shape) != [\(rows)] for logits \(logits.shape)")
        }
        let reducer = LossReducer(op, reduction, avgFactor: avgFactor, count: rows)
        let loss = Tensor(uninitialized: [rows])
        let lse = Tensor(uninitialized: [rows])
        let labels = targets.values
        let w = weight?.detach()
        if rows > 0 {
            labels.withUnsafeBufferPointer { tp in
                LossKernels.crossEntropyForward(
                    logits.ptr, rows: rows, classes: classes, targets: tp.baseAddress!,
                    weight: w?.ptr, ignoreIndex: ignoreIndex, loss: loss.ptr, logSumExp: lse.ptr)
            }
        }
        return Tensor.record(op, reducer.reduce(loss), inputs: [logits]) { g in
            let dx = Tensor(uninitialized: logits.shape)
            if rows > 0 {
                labels.withUnsafeBufferPointer { tp in
                    LossKernels.crossEntropyBackward(
                        logits.ptr, logSumExp: lse.ptr, rows: rows, classes: classes,
                        targets: tp.baseAddress!, weight: w?.ptr, ignoreIndex: ignoreIndex,
                        gradOut: g.ptr, gradStride: reducer.gradStride, scale: reducer.gradScale,
                        dx: dx.ptr)
                }
            }
            return [dx]
        }
    }

    /// Binary cross-entropy with logits (mmdet CrossEntropyLoss(use_sigmoid=True)), computed
    /// stably as max(x, 0) - x t + log(1 + exp(-|x|)). `target` has `pred`'s shape; `weight`
    /// has it too, or leading dims of it (e.g. (R) per row for the RPN's (R, 1) logits).
    public static func binaryCrossEntropyWithLogits(
        _ pred: Tensor, _ target: Tensor, weight: Tensor? = nil,
        reduction: LossReduction = .mean, avgFactor: Float? = nil
    ) -> Tensor {
        let op = OpKind.binaryCrossEntropyWithLogits
        checkInvariant(target.shape == pred.shape, "\(op): target shape \(target.shape) != pred shape \(pred.shape)")
        let inner = weightInner(weight, pred: pred.shape, op: op)
        let reducer = LossReducer(op, reduction, avgFactor: avgFactor, count: pred.count)
        let n = pred.count
        let t = target.detach(), w = weight?.detach()
        let loss = Tensor(uninitialized: pred.shape)
        LossKernels.bceWithLogitsForward(
            pred.ptr, t.ptr, count: n, weight: w?.ptr, weightInner: inner, loss: loss.ptr)
        return Tensor.record(op, reducer.reduce(loss), inputs: [pred]) { g in
            let dx = Tensor(uninitialized: pred.shape)
            LossKernels.bceWithLogitsBackward(
                pred.ptr, t.ptr, count: n, weight: w?.ptr, weightInner: inner,
                gradOut: g.ptr, gradStride: reducer.gradStride, scale: reducer.gradScale, dx: dx.ptr)
            return [dx]
        }
    }

    /// The mask-head loss (mmdet CrossEntropyLoss(use_mask=True), mask_cross_entropy): BCE with
    /// logits between channel `labels[r]` of `pred` (R, C, h, w) and `target` (R, h, w), the mean
    /// over R * h * w. Other channels get zero gradient. Recorded as
    /// binaryCrossEntropyWithLogits. With R = 0 the mean is NaN, as in torch (mmdet's mask head
    /// handles the no-positive case itself).
    public static func maskBinaryCrossEntropy(_ pred: Tensor, target: Tensor, labels: IndexTensor) -> Tensor {
        let op = OpKind.binaryCrossEntropyWithLogits
        guard pred.rank == 4 else { fatalError("\(op) (mask): pred must be (R, C, h, w), got \(pred.shape)") }
        let rows = pred.dim(0), classes = pred.dim(1), spatial = pred.dim(2) * pred.dim(3)
        checkInvariant(
            target.shape == [rows, pred.dim(2), pred.dim(3)],
            "\(op) (mask): target shape \(target.shape) does not match pred \(pred.shape) as (R, h, w)")
        checkInvariant(labels.shape == [rows], "\(op) (mask): labels shape \(labels.shape) != [\(rows)]")
        for l in labels.values where !(0..<classes).contains(l) {
            fatalError("\(op) (mask): label \(l) outside [0, \(classes))")
        }
        let reducer = LossReducer(op, .mean, avgFactor: nil, count: rows * spatial)
        let t = target.detach(), lv = labels.values
        let loss = Tensor(uninitialized: target.shape)
        if rows > 0 {
            lv.withUnsafeBufferPointer { lp in
                LossKernels.maskBCEForward(
                    pred.ptr, t.ptr, labels: lp.baseAddress!, rows: rows, classes: classes,
                    spatial: spatial, loss: loss.ptr)
            }
        }
        return Tensor.record(op, reducer.reduce(loss), inputs: [pred]) { g in
            let dx = Tensor(uninitialized: pred.shape)
            if rows > 0 {
                lv.withUnsafeBufferPointer { lp in
                    LossKernels.maskBCEBackward(
                        pred.ptr, t.ptr, labels: lp.baseAddress!, rows: rows, classes: classes,
                        spatial: spatial, gradOut: g.ptr, gradStride: reducer.gradStride,
                        scale: reducer.gradScale, dx: dx.ptr)
                }
            }
            return [dx]
        }
    }

    /// L1 loss |pred - target| (mmdet L1Loss); the gradient at pred == target is 0. Shapes as
    /// for `smoothL1`.
    public static func l1(
        _ pred: Tensor, _ target: Tensor, weight: Tensor? = nil,
        reduction: LossReduction = .mean, avgFactor: Float? = nil
    ) -> Tensor {
        regression(.l1Loss, pred, target, beta: 0, weight: weight, reduction: reduction, avgFactor: avgFactor)
    }

    /// Smooth L1 loss (mmdet SmoothL1Loss, Fast R-CNN): 0.5 d^2 / beta where |d| < beta, else
    /// |d| - 0.5 beta, with d = pred - target; beta > 0. `target` has `pred`'s shape; `weight`
    /// has it too, or leading dims of it. With no elements, the mean is 0 (as mmdet).
    public static func smoothL1(
        _ pred: Tensor, _ target: Tensor, beta: Float = 1, weight: Tensor? = nil,
        reduction: LossReduction = .mean, avgFactor: Float? = nil
    ) -> Tensor {
        checkInvariant(beta > 0, "\(OpKind.smoothL1Loss): beta must be > 0, got \(beta)")
        return regression(
            .smoothL1Loss, pred, target, beta: beta, weight: weight, reduction: reduction, avgFactor: avgFactor)
    }

    /// L1 (beta 0) and smooth L1 share one kernel pair.
    private static func regression(
        _ op: OpKind, _ pred: Tensor, _ target: Tensor, beta: Float, weight: Tensor?,
        reduction: LossReduction, avgFactor: Float?
    ) -> Tensor {
        checkInvariant(target.shape == pred.shape, "\(op): target shape \(target.shape) != pred shape \(pred.shape)")
        let inner = weightInner(weight, pred: pred.shape, op: op)
        let reducer = LossReducer(op, reduction, avgFactor: avgFactor, count: pred.count, emptyMeanIsZero: true)
        let n = pred.count
        let t = target.detach(), w = weight?.detach()
        let loss = Tensor(uninitialized: pred.shape)
        LossKernels.smoothL1Forward(
            pred.ptr, t.ptr, count: n, beta: beta, weight: w?.ptr, weightInner: inner, loss: loss.ptr)
        return Tensor.record(op, reducer.reduce(loss), inputs: [pred]) { g in
            let dx = Tensor(uninitialized: pred.shape)
            LossKernels.smoothL1Backward(
                pred.ptr, t.ptr, count: n, beta: beta, weight: w?.ptr, weightInner: inner,
                gradOut: g.ptr, gradStride: reducer.gradStride, scale: reducer.gradScale, dx: dx.ptr)
            return [dx]
        }
    }

    /// Elements sharing one weight: `weight`'s shape, with trailing 1s dropped, must be the
    /// leading dims of `pred` (equal shapes give 1; (R) or (R, 1) against (R, k) gives k).
    private static func weightInner(_ weight: Tensor?, pred: [Int], op: OpKind) -> Int {
        guard let weight else { return 1 }
        var ws = weight.shape
        while ws.last == 1 { ws.removeLast() }
        guard ws.count <= pred.count, Array(pred.prefix(ws.count)) == ws else {
            fatalError("\(op): weight shape \(weight.shape) must equal pred shape \(pred) or its leading dims")
        }
        return pred.dropFirst(ws.count).reduce(1, *)
    }
}
