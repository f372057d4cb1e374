import Autograd
import NN

/// A feature extractor producing a list of maps, finest first (mmdetection's backbones).
public protocol Backbone: Module {
    func callAsFunction(_ x: Tensor) -> [Tensor]
}

/// Turns backbone maps into the pyramid the heads read (mmdetection's necks).
public protocol Neck: Module {
    func callAsFunction(_ features: [Tensor]) -> [Tensor]
}
