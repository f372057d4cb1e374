import Autograd
import Kernels
import NN

/// A feature extractor producing a list of maps, finest first (mmdetection's backbones).
public protocol Backbone: Module {
    func callAsFunction(_ x: Tensor) -> [Tensor]
    /// mmdetection's `init_weights()` for this backbone (its default init, or the
    /// `Pretrained` checkpoint its `init_cfg` names).
    func initWeights(using rng: inout SeededGenerator) throws
}

/// Turns backbone maps into the pyramid the heads read (mmdetection's necks).
public protocol Neck: Module {
    func callAsFunction(_ features: [Tensor]) -> [Tensor]
    /// mmdetection's `init_weights()` for this neck.
    func initWeights(using rng: inout SeededGenerator)
}
