import Autograd
import Config
import Kernels
import NN

/// A small module with one of each kind the optimizer rules care about: a root 1-D
/// parameter, a conv with bias, BN (with its int buffer), GN, SN, a depth-wise conv, a
/// linear layer and a frozen conv.
final class TestNet: Module {
    var training = true
    let scale = Tensor.ones([3], requiresGrad: true)
    let conv: Conv2d
    let bn = BatchNorm2d(4)
    let gn = GroupNorm(groups: 2, channels: 4)
    let dw: Conv2d
    let fc: Linear
    let frozen: Conv2d
    let sn = SwitchNorm2d(4)

    init(seed: UInt64) throws {
        conv = try Conv2d(2, 4, kernelSize: 3)
        dw = try Conv2d(4, 4, kernelSize: 3, groups: 4, bias: false)
        fc = try Linear(4, 2)
        frozen = try Conv2d(2, 2, kernelSize: 1)
        var rng = SeededGenerator(seed: seed)
        for (_, p) in namedParameters() { Init.fillUniform(p, bound: 1, using: &rng) }
        Init.fillUniform(bn.runningMean, bound: 1, using: &rng)
        bn.numBatchesTracked.update { $0[0] = Float(seed % 7) }
        frozen.setRequiresGrad(false)
    }

    var parameters: [(String, Tensor)] { [("scale", scale)] }
    var children: [(String, any Module)] {
        [("conv", conv), ("bn", bn), ("gn", gn), ("dw", dw), ("fc", fc), ("frozen", frozen), ("sn", sn)]
    }

    /// Gives every trainable parameter a gradient drawn from `rng`.
    func fakeGradients(_ rng: inout SeededGenerator) {
        for (_, p) in namedParameters() where p.requiresGrad {
            p.grad = Tensor.uniform(p.shape, low: -1, high: 1, using: &rng)
        }
    }
}

/// A parent holding the same Linear twice (a shared parameter).
final class SharedNet: Module {
    var training = true
    let shared: Linear
    init() throws { shared = try Linear(2, 2) }
    var children: [(String, any Module)] { [("a", shared), ("b", shared)] }
}

/// The dict at `key` of a Python config text.
func configView(_ text: String, _ key: String) throws -> ConfigView {
    try ConfigLoader(environment: [:]).load(text: text, file: "test.py").view(key)
}
