/// Every differentiable operation SwiftDet records on the autograd tape, in one list.
///
/// The gradient-check suite iterates `OpKind.allCases` and fails for a case it has no check
/// for, so adding an op here without a gradient check breaks the build's tests.
public enum OpKind: String, CaseIterable, Sendable {
    // Elementwise (Ops/Arithmetic.swift, Ops/Unary.swift)
    case add, sub, mul, div
    case neg, exp, log, sqrt, pow, abs, clamp, relu, sigmoid, silu
    // Products (Ops/Linear.swift)
    case matmul, linear
    // Reductions (Ops/Reduction.swift, Ops/Softmax.swift)
    case sum, mean, max
    case softmax, logSoftmax
    // Shape and indexing (Ops/Shape.swift, Ops/Indexing.swift)
    case reshape, permute, concat, stack, slice
    case indexSelect, gather, scatterAdd, `where`, maskedFill
    // Convolution and resampling (Ops/Convolution.swift, Ops/Pooling.swift, Ops/RoIAlign.swift)
    case conv2d, convTranspose2d, maxPool2d, avgPool2d, interpolateNearest
    case roiAlign
    // Losses (Ops/Losses.swift)
    case crossEntropy, binaryCrossEntropyWithLogits, l1Loss, smoothL1Loss
    // Normalisation (Ops/Normalization.swift, Ops/SwitchNorm.swift)
    case batchNorm, groupNorm, weightStandardization, scaledWeightStandardization, switchNorm
}
