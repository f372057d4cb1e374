/// 2-D max pooling (torch.nn.functional.max_pool2d, no dilation, floor mode) over planes.
///
/// Padding is implicit -inf. The saved index of each output is the flat h * W + w position of
/// its maximum in the input plane; on ties the FIRST maximum in row-major window order wins
/// (a later value replaces the maximum only when strictly greater, or when it is NaN,
/// so the last NaN wins, as in PyTorch's CPU kernel), and the backward
/// pass routes the whole gradient to that one position.
public enum MaxPool2d {
    /// Forward pass over `g.channels` planes (N * C). Every output and index is written.
    // x: (P, H, W); out, indices: (P, outH, outW)
    public static func forward(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry,
        out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>
    ) {
        precondition(g.inPlane <= Int(Int32.max), "max_pool2d: plane of \(g.inPlane) elements is too large for Int32 indices")
        Parallel.forRange(g.channels * g.outH, cost: g.outW * g.kernelArea) { rows in
            for r in rows {
                let p = r / g.outH, oh = r % g.outH
                poolRow(x + p * g.inPlane, g, oh: oh, out: out + r * g.outW, indices: indices + r * g.outW)
            }
        }
    }

    /// One output row of one plane.
    @inline(__always)
    static func poolRow(
        _ plane: UnsafePointer<Float>, _ g: ConvGeometry, oh: Int,
        out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>
    ) {
        let h0 = oh * g.strideH - g.padH
        let hLo = max(h0, 0), hHi = min(h0 + g.kernelH, g.height)
        for ow in 0..<g.outW {
            let w0 = ow * g.strideW - g.padW
            let wLo = max(w0, 0), wHi = min(w0 + g.kernelW, g.width)
            var best = -Float.infinity
            var bestIndex = hLo * g.width + wLo
            for ih in hLo..<hHi {
                let row = plane + ih * g.width
                for iw in wLo..<wHi {
                    let v = row[iw]
                    if v > best || v.isNaN {
                        best = v
                        bestIndex = ih * g.width + iw
                    }
                }
            }
            out[ow] = best
            indices[ow] = Int32(bestIndex)
        }
    }

    /// Backward pass: gradX (overwritten) gets each output gradient at its saved index.
    // gradOut, indices: (P, outH, outW); gradX: (P, H, W)
    public static func backward(
        gradOut: UnsafePointer<Float>, indices: UnsafePointer<Int32>, _ g: ConvGeometry,
        gradX: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(g.channels, cost: g.inPlane + g.outPlane) { planes in
            for p in planes {
                let gx = gradX + p * g.inPlane
                gx.update(repeating: 0, count: g.inPlane)
                let go = gradOut + p * g.outPlane, idx = indices + p * g.outPlane
                for o in 0..<g.outPlane { gx[Int(idx[o])] += go[o] }
            }
        }
    }
}
