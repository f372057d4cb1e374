import Autograd
import Foundation
import Kernels
import NN

extension ResNet {
    /// mmdetection's ResNet init without a checkpoint: Kaiming-normal (fan_out, relu) on every
    /// conv (ConvWS included), zero conv biases, norms γ=1 β=0, and with zero_init_residual the
    /// last norm of every block γ=β=0. With a `Pretrained` init_cfg the local safetensors file is
    /// loaded instead (keys as mmdetection's, with or without a `backbone.` prefix; the rest of
    /// the checkpoint is ignored; keys it lacks keep the default init), and it is an error when no backbone key matches.
    public func initWeights(using rng: inout SeededGenerator) throws {
        for (_, m) in namedModules() {
            if let conv = m as? Conv2d {
                Init.kaiming(conv.weight, mode: .fanOut, nonlinearity: "relu", using: &rng)
                if let b = conv.bias { Init.fill(b, 0) }
            } else if m is NN.BatchNorm2d || m is NN.GroupNorm, let norm = m as? any NormLayer {
                norm.resetAffine(gamma: 1)
            }
        }
        if options.zeroInitResidual {
            for norm in residualNorms { norm.resetAffine(gamma: 0) }
        }
        if let (checkpoint, prefix) = options.pretrained { try loadPretrained(checkpoint, prefix: prefix) }
    }
}
