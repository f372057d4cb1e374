/// Transposed 2-D convolution (torch.nn.functional.conv_transpose2d, no groups, no output
/// padding), the adjoint of conv2d: a GEMM to the column matrix of the output, then col2im.
///
/// The geometry is that of the convolution it transposes: `channels` = Cout, `height` x `width`
/// = the transposed output size (H - 1) * s - 2p + d(k - 1) + 1, and `outH` x `outW` = the
/// transposed input size H x W. Each image is cut into bands of input rows as in Conv2d, and
/// small images go by chunks of images (ConvChunks.swift).
public enum ConvTranspose2dKernel {
    /// The geometry for input (H, W), Cout output channels, kernel, stride, padding.
    public static func geometry(
        outChannels: Int, height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int),
        padding: (Int, Int), dilation: (Int, Int) = (1, 1)
    ) -> ConvGeometry {
        let oh = (height - 1) * stride.0 - 2 * padding.0 + dilation.0 * (kernel.0 - 1) + 1
        let ow = (width - 1) * stride.1 - 2 * padding.1 + dilation.1 * (kernel.1 - 1) + 1
        return ConvGeometry(channels: outChannels, height: oh, width: ow, kernel: kernel,
                            stride: stride, padding: padding, dilation: dilation)
    }

    /// Forward pass.
    // x: (N, Cin, H, W) with H, W = g.outH, g.outW; weight: (Cin, Cout, kh, kw);
    // bias: (Cout); out: (N, Cout, g.height, g.width)
    public static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        out: UnsafeMutablePointer<Float>, batch: Int, inChannels cin: Int, geometry g: ConvGeometry,
        columnBudget: Int = Conv2dKernel.defaultColumnBudget
    ) {
        let chunk = ImageChunks.size(plane: g.outPlane, batch: batch)
        if chunk > 1 {
            return forwardChunked(x: x, weight: weight, bias: bias, out: out, batch: batch,
                                  inChannels: cin, geometry: g, chunk: chunk)
        }
        let bands = Conv2dKernel.bands(g, budget: columnBudget)
        Scratch.withBuffer(g.colRows * Conv2dKernel.bandRows(g, budget: columnBudget) * g.outW) { cols in
            for img in 0..<batch {
                let xi = x + img * cin * g.outPlane
                let oi = out + img * g.channels * g.inPlane
                initialize(oi, bias: bias, g)
                for rows in bands {
                    let n = rows.count * g.outW
                    // cols = weight^T * x_band: (Cout*kh*kw, Cin) x (Cin, n)
                    Gemm.sgemm(transA: true, m: g.colRows, n: n, k: cin, a: weight, lda: g.colRows,
                               b: xi + rows.lowerBound * g.outW, ldb: g.outPlane, c: cols, ldc: n)
                    Im2col.col2im(cols, g, outRows: rows, into: oi)
                }
            }
        }
    }

    /// Backward pass: gradients of sum(out * gradOut) for each non-nil destination, all
    /// overwritten (gradWeight sums over the images here).
    // x, gradX: (N, Cin, g.outH, g.outW); weight, gradWeight: (Cin, Cout, kh, kw);
    // gradOut: (N, Cout, g.height, g.width); gradBias: (Cout)
    public static func backward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
        batch: Int, inChannels cin: Int, geometry g: ConvGeometry,
        gradX: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
        gradBias: UnsafeMutablePointer<Float>?, columnBudget: Int = Conv2dKernel.defaultColumnBudget
    ) {
        if let gradBias {
            Conv2dKernel.sumRows(gradOut, batch: batch, rows: g.channels, length: g.inPlane, into: gradBias)
        }
        if gradX == nil && gradWeight == nil { return }
        if batch == 0 { return gradWeight?.update(repeating: 0, count: cin * g.colRows) ?? () }
        let chunk = ImageChunks.size(plane: g.outPlane, batch: batch)
        if chunk > 1 {
            return backwardChunked(x: x, weight: weight, gradOut: gradOut, batch: batch, inChannels: cin,
                                   geometry: g, chunk: chunk, gradX: gradX, gradWeight: gradWeight)
        }
        let bands = Conv2dKernel.bands(g, budget: columnBudget)
        Scratch.withBuffer(g.colRows * Conv2dKernel.bandRows(g, budget: columnBudget) * g.outW) { cols in
            for img in 0..<batch {
                let xi = x + img * cin * g.outPlane
                for rows in bands {
                    let n = rows.count * g.outW, r0 = rows.lowerBound * g.outW
                    Im2col.im2col(gradOut + img * g.channels * g.inPlane, g, outRows: rows, into: cols)
                    if let gradX {
                        // gradX_band = weight * cols: (Cin, Cout*kh*kw) x (Cout*kh*kw, n)
                        Gemm.sgemm(m: cin, n: n, k: g.colRows, a: weight, lda: g.colRows, b: cols, ldb: n,
                                   c: gradX + img * cin * g.outPlane + r0, ldc: g.outPlane)
                    }
                    if let gradWeight {
                        // gradWeight += x_band * cols^T: (Cin, n) x (n, Cout*kh*kw)
                        Gemm.sgemm(transB: true, m: cin, n: g.colRows, k: n, a: xi + r0, lda: g.outPlane,
                                   b: cols, ldb: n, beta: img == 0 && r0 == 0 ? 0 : 1,
                                   c: gradWeight, ldc: g.colRows)
                    }
                }
            }
        }
    }

    /// One output image before col2im adds to it: the bias, or zeros.
    // out: (Cout, g.height, g.width); bias: (Cout)
    static func initialize(_ out: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, _ g: ConvGeometry) {
        if let bias {
            Conv2dKernel.fillRows(out, values: bias, rows: g.channels, length: g.inPlane)
        } else {
            out.update(repeating: 0, count: g.channels * g.inPlane)
        }
    }
}
