import Kernels

// conv2d and convTranspose2d: shape rules, forward (Kernels.Conv2d / ConvTranspose2d) and
// backward (gradients for x, weight and bias, each only when that input requires grad).

extension Tensor {
    /// 2-D convolution (cross-correlation) as torch.nn.functional.conv2d.
    ///
    /// self: (N, Cin, H, W); weight: (Cout, Cin / groups, kh, kw); bias: (Cout).
    /// Returns (N, Cout, Hout, Wout) with Hout = floor((H + 2p - d(kh - 1) - 1) / s) + 1.
    public func conv2d(
        weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, groups: Int = 1
    ) -> Tensor {
        let g = conv2dGeometry(weight: weight, bias: bias, stride: stride, padding: padding,
                               dilation: dilation, groups: groups)
        let (batch, cout) = (shape[0], weight.shape[0])
        let out = Tensor(uninitialized: [batch, cout, g.outH, g.outW])
        Conv2dKernel.forward(x: ptr, weight: weight.ptr, bias: bias?.ptr, out: out.ptr, batch: batch,
                       outChannels: cout, groups: groups, geometry: g)
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        return Tensor.record(.conv2d, out, inputs: inputs) { gradOut in
            let gx = self.requiresGrad ? Tensor(uninitialized: self.shape) : nil
            let gw = weight.requiresGrad ? Tensor(uninitialized: weight.shape) : nil
            let gb = bias?.requiresGrad == true ? Tensor(uninitialized: [cout]) : nil
            Conv2dKernel.backward(x: self.ptr, weight: weight.ptr, gradOut: gradOut.ptr, batch: batch,
                            outChannels: cout, groups: groups, geometry: g,
                            gradX: gx?.ptr, gradWeight: gw?.ptr, gradBias: gb?.ptr)
            return bias == nil ? [gx, gw] : [gx, gw, gb]
        }
    }

    /// Checks conv2d's shapes (a programmer error stops with the op and the shapes).
    private func conv2dGeometry(
        weight: Tensor, bias: Tensor?, stride: Int, padding: Int, dilation: Int, groups: Int
    ) -> ConvGeometry {
        func fail(_ reason: String) -> Never {
            fatalError("conv2d: input \(shape), weight \(weight.shape)" + (bias.map { ", bias \($0.shape)" } ?? "")
                + ", stride \(stride), padding \(padding), dilation \(dilation), groups \(groups): \(reason)")
        }
        guard rank == 4, weight.rank == 4, stride > 0, padding >= 0, dilation > 0, groups > 0 else {
            fail("expected 4-D input and weight, stride/dilation/groups > 0, padding >= 0")
        }
        let (cin, cout) = (shape[1], weight.shape[0])
        guard cin % groups == 0, cout % groups == 0, weight.shape[1] * groups == cin else {
            fail("weight must be (Cout, Cin / groups, kh, kw) with Cin, Cout divisible by groups")
        }
        if let bias, bias.shape != [cout] { fail("bias must have shape [\(cout)]") }
        let g = ConvGeometry(
            channels: cin, height: shape[2], width: shape[3],
            kernel: (weight.shape[2], weight.shape[3]), stride: (stride, stride),
            padding: (padding, padding), dilation: (dilation, dilation))
        guard g.outH > 0, g.outW > 0 else {
            fail("the kernel does not fit the padded input (output would be \(g.outH)x\(g.outW))")
        }
        return g
    }

    /// Transposed 2-D convolution as torch.nn.functional.conv_transpose2d (no groups, no
    /// output padding, no dilation), as in FCNMaskHead's 2x2 stride-2 upsampling.
    ///
    /// self: (N, Cin, H, W); weight: (Cin, Cout, kh, kw); bias: (Cout).
    /// Returns (N, Cout, (H - 1) * s - 2p + kh, (W - 1) * s - 2p + kw).
    public func convTranspose2d(
        weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0
    ) -> Tensor {
        let g = convTranspose2dGeometry(weight: weight, bias: bias, stride: stride, padding: padding)
        let (batch, cin, cout) = (shape[0], shape[1], weight.shape[1])
        let out = Tensor(uninitialized: [batch, cout, g.height, g.width])
        ConvTranspose2dKernel.forward(x: ptr, weight: weight.ptr, bias: bias?.ptr, out: out.ptr,
                                batch: batch, inChannels: cin, geometry: g)
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        return Tensor.record(.convTranspose2d, out, inputs: inputs) { gradOut in
            let gx = self.requiresGrad ? Tensor(uninitialized: self.shape) : nil
            let gw = weight.requiresGrad ? Tensor(uninitialized: weight.shape) : nil
            let gb = bias?.requiresGrad == true ? Tensor(uninitialized: [cout]) : nil
            ConvTranspose2dKernel.backward(x: self.ptr, weight: weight.ptr, gradOut: gradOut.ptr,
                                     batch: batch, inChannels: cin, geometry: g,
                                     gradX: gx?.ptr, gradWeight: gw?.ptr, gradBias: gb?.ptr)
            return bias == nil ? [gx, gw] : [gx, gw, gb]
        }
    }

    /// Checks convTranspose2d's shapes (a programmer error stops with the op and the shapes).
    private func convTranspose2dGeometry(
        weight: Tensor, bias: Tensor?, stride: Int, padding: Int
    ) -> ConvGeometry {
        func fail(_ reason: String) -> Never {
            fatalError("convTranspose2d: input \(shape), weight \(weight.shape)" + (bias.map { ", bias \($0.shape)" } ?? "")
                + ", stride \(stride), padding \(padding): \(reason)")
        }
        guard rank == 4, weight.rank == 4, stride > 0, padding >= 0 else {
            fail("expected 4-D input and weight, stride > 0, padding >= 0")
        }
        guard weight.shape[0] == shape[1] else { fail("weight must be (Cin, Cout, kh, kw) with Cin = \(shape[1])") }
        if let bias, bias.shape != [weight.shape[1]] { fail("bias must have shape [\(weight.shape[1])]") }
        let g = ConvTranspose2dKernel.geometry(
            outChannels: weight.shape[1], height: shape[2], width: shape[3],
            kernel: (weight.shape[2], weight.shape[3]), stride: (stride, stride),
            padding: (padding, padding))
        guard g.height > 0, g.width > 0, g.outH == shape[2], g.outW == shape[3] else {
            fail("output size would be \(g.height)x\(g.width)")
        }
        return g
    }
}
