import Kernels

// maxPool2d, avgPool2d and interpolateNearest: shape rules, forward (Kernels.MaxPool2d /
// AvgPool2dKernel / NearestInterpolation) and backward.

extension Tensor {
    /// 2-D max pooling as torch.nn.functional.max_pool2d (floor mode, no dilation), with
    /// implicit -inf padding. self: (N, C, H, W); returns (N, C, Hout, Wout) with
    /// Hout = floor((H + 2p - k) / s) + 1.
    public func maxPool2d(kernel: Int, stride: Int, padding: Int = 0) -> Tensor {
        maxPool2dRecorded(kernel: kernel, stride: stride, padding: padding, keepIndices: false).output
    }

    /// maxPool2d, also returning each output's argmax as the flat h * W + w index in its input
    /// plane (as PyTorch's return_indices). On ties the first maximum in row-major window order
    /// wins and receives the whole gradient.
    public func maxPool2dWithIndices(
        kernel: Int, stride: Int, padding: Int = 0
    ) -> (output: Tensor, indices: IndexTensor) {
        let (out, saved) = maxPool2dRecorded(kernel: kernel, stride: stride, padding: padding, keepIndices: true)
        let values = UnsafeBufferPointer(start: saved!.pointer, count: out.count).map(Int.init)
        return (out, IndexTensor(shape: out.shape, values))
    }

    /// The recorded max pooling and its argmax indices (computed only when the backward or
    /// the caller needs them).
    private func maxPool2dRecorded(
        kernel: Int, stride: Int, padding: Int, keepIndices: Bool
    ) -> (output: Tensor, indices: PoolIndices?) {
        func fail(_ reason: String) -> Never {
            fatalError("maxPool2d: input \(shape), kernel \(kernel), stride \(stride), padding \(padding): \(reason)")
        }
        guard rank == 4, kernel > 0, stride > 0, padding >= 0, 2 * padding <= kernel else {
            fail("expected 4-D input, kernel and stride > 0, 0 <= padding <= kernel / 2")
        }
        let g = ConvGeometry(
            channels: shape[0] * shape[1], height: shape[2], width: shape[3],
            kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding))
        guard g.outH > 0, g.outW > 0 else {
            fail("the window does not fit the padded input")
        }
        let out = Tensor(uninitialized: [shape[0], shape[1], g.outH, g.outW])
        let recording = GradMode.isEnabled && requiresGrad
        let indices = recording || keepIndices ? PoolIndices(count: out.count) : nil
        MaxPool2dKernel.forward(ptr, g, out: out.ptr, indices: indices?.pointer)
        let inputShape = shape
        let recorded = Tensor.record(.maxPool2d, out, inputs: [self]) { gradOut in
            let gx = Tensor(uninitialized: inputShape)
            MaxPool2dKernel.backward(gradOut: gradOut.ptr, indices: indices!.pointer, g, gradX: gx.ptr)
            return [gx]
        }
        return (recorded, indices)
    }

    /// 2-D average pooling as torch.nn.functional.avg_pool2d(x, kernel, stride, padding,
    /// ceil_mode, count_include_pad). self: (N, C, H, W).
    public func avgPool2d(kernel: Int, stride: Int, padding: Int = 0, ceilMode: Bool = false,
                          countIncludePad: Bool = true) -> Tensor {
        guard rank == 4, kernel > 0, stride > 0, padding >= 0, 2 * padding <= kernel else {
            fatalError("avgPool2d: input \(shape), kernel \(kernel), stride \(stride), padding \(padding): "
                       + "expected 4-D input, kernel and stride > 0, 0 <= padding <= kernel / 2")
        }
        let g = AvgPoolGeometry(planes: shape[0] * shape[1], height: shape[2], width: shape[3], kernel: kernel,
                                stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
        guard g.outH > 0, g.outW > 0 else {
            fatalError("avgPool2d: input \(shape), kernel \(kernel), padding \(padding): the window does not fit the padded input (floor mode)")
        }
        let out = Tensor(uninitialized: [shape[0], shape[1], g.outH, g.outW])
        AvgPool2dKernel.forward(ptr, g, out: out.ptr)
        let inputShape = shape
        return Tensor.record(.avgPool2d, out, inputs: [self]) { gradOut in
            let gx = Tensor(uninitialized: inputShape)
            AvgPool2dKernel.backward(gradOut: gradOut.ptr, g, gradX: gx.ptr)
            return [gx]
        }
    }

    /// Nearest-neighbour resampling to `size` = (height, width), as
    /// torch.nn.functional.interpolate(x, size=size, mode="nearest") (FPN's top-down path).
    /// self: (N, C, H, W); returns (N, C, size.0, size.1). Source index per axis:
    /// min(floor(dst * Float(in) / Float(out)), in - 1), computed in Float32.
    public func interpolateNearest(size: (Int, Int)) -> Tensor {
        guard rank == 4, size.0 > 0, size.1 > 0, shape[2] > 0, shape[3] > 0 else {
            fatalError("interpolateNearest: input \(shape), size \(size): expected a non-empty 4-D input and a positive size")
        }
        let (planes, inH, inW) = (shape[0] * shape[1], shape[2], shape[3])
        let srcY = NearestInterpolation.sourceIndices(input: inH, output: size.0)
        let srcX = NearestInterpolation.sourceIndices(input: inW, output: size.1)
        let out = Tensor(uninitialized: [shape[0], shape[1], size.0, size.1])
        NearestInterpolation.forward(ptr, planes: planes, inH: inH, inW: inW, srcY: srcY, srcX: srcX, out: out.ptr)
        let inputShape = shape
        return Tensor.record(.interpolateNearest, out, inputs: [self]) { gradOut in
            let gx = Tensor(uninitialized: inputShape)
            NearestInterpolation.backward(gradOut: gradOut.ptr, planes: planes, inH: inH, inW: inW,
                                          srcY: srcY, srcX: srcX, gradX: gx.ptr)
            return [gx]
        }
    }
}

/// The Int32 argmax positions maxPool2d saves for its backward (allocated like tensor storage:
/// activation-sized, so recycled rather than page-faulted afresh).
final class PoolIndices {
    let pointer: UnsafeMutablePointer<Int32>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = LargePages.allocate(byteCount: max(count, 1) * MemoryLayout<Int32>.stride)
            .bindMemory(to: Int32.self, capacity: max(count, 1))
    }

    deinit {
        LargePages.deallocate(UnsafeMutableRawPointer(pointer), byteCount: max(count, 1) * MemoryLayout<Int32>.stride)
    }
}
