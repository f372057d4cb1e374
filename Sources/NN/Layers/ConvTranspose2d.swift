import Autograd
import Kernels

/// Transposed 2-D convolution (torch.nn.ConvTranspose2d): `weight` (in, out, kh, kw).
public final class ConvTranspose2d: Module {
    public var training = true
    public let weight: Tensor
    public let bias: Tensor?
    public let stride, padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) throws {
        weight = try Tensor.parameter([inChannels, outChannels, kernelSize, kernelSize], "ConvTranspose2d weight")
        self.bias = bias ? try Tensor.parameter([outChannels], "ConvTranspose2d bias") : nil
        self.stride = stride
        self.padding = padding
    }

    public var parameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        // fvcore counts a transposed convolution over its input positions.
        ComplexityCounter.record(self, .convTranspose, x.shape[0] * weight.count * x.shape[2] * x.shape[3])
        return x.convTranspose2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }

    /// PyTorch's default initialisation (its fan-in is dim 1 x receptive field).
    public func resetParameters(using rng: inout SeededGenerator) {
        Init.pytorchDefault(weight: weight, bias: bias, using: &rng)
    }
}
