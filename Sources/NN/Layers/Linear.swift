import Autograd
import Kernels

/// Fully connected layer (torch.nn.Linear): `weight` (out, in), optional `bias` (out).
public final class Linear: Module {
    public var training = true
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) throws {
        weight = try Tensor.parameter([outFeatures, inFeatures], "Linear weight")
        self.bias = bias ? try Tensor.parameter([outFeatures], "Linear bias") : nil
    }

    public var parameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// x (N, in) -> (N, out).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        ComplexityCounter.record(self, .linear, x.count * weight.shape[0])
        return x.linear(weight: weight, bias: bias)
    }

    /// PyTorch's default initialisation.
    public func resetParameters(using rng: inout SeededGenerator) {
        Init.pytorchDefault(weight: weight, bias: bias, using: &rng)
    }
}
