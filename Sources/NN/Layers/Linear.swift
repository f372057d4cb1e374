import Autograd
import Kernels

/// Fully connected layer (torch.nn.Linear): `weight` (out, in), optional `bias` (out).
public final class Linear: Module {
    public var training = true
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        weight = Tensor.zeros([outFeatures, inFeatures], requiresGrad: true)
        self.bias = bias ? Tensor.zeros([outFeatures], requiresGrad: true) : nil
    }

    public var parameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// x (N, in) -> (N, out).
    public func callAsFunction(_ x: Tensor) -> Tensor { x.linear(weight: weight, bias: bias) }

    /// PyTorch's default initialisation.
    public func resetParameters(using rng: inout SeededGenerator) {
        Init.pytorchDefault(weight: weight, bias: bias, using: &rng)
    }
}

/// Transposed 2-D convolution (torch.nn.ConvTranspose2d): `weight` (in, out, kh, kw).
public final class ConvTranspose2d: Module {
    public var training = true
    public let weight: Tensor
    public let bias: Tensor?
    public let stride, padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        weight = Tensor.zeros([inChannels, outChannels, kernelSize, kernelSize], requiresGrad: true)
        self.bias = bias ? Tensor.zeros([outChannels], requiresGrad: true) : nil
        self.stride = stride
        self.padding = padding
    }

    public var parameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.convTranspose2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }

    /// PyTorch's default initialisation (its fan-in is dim 1 x receptive field).
    public func resetParameters(using rng: inout SeededGenerator) {
        Init.pytorchDefault(weight: weight, bias: bias, using: &rng)
    }
}

/// Max pooling (torch.nn.MaxPool2d); no parameters.
public final class MaxPool2d: Module {
    public var training = true
    public let kernelSize, stride, padding: Int

    public init(kernelSize: Int, stride: Int, padding: Int = 0) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.maxPool2d(kernel: kernelSize, stride: stride, padding: padding)
    }
}
