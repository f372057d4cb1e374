import Autograd
import Kernels

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
