/// Nearest-neighbour resampling to a given output size (torch.nn.functional.interpolate with
/// mode "nearest" and `size`), as FPN's top-down pathway uses it.
///
/// Source index: src = min(floor(dst * scale), in - 1) with scale = Float(in) / Float(out),
/// all in Float32 as PyTorch computes it (exactly dst / 2 when out == 2 * in).
public enum NearestInterpolation {
    /// The source index of every destination index along one axis.
    public static func sourceIndices(input: Int, output: Int) -> [Int] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { dst in
            min(Int((Float(dst) * scale).rounded(.down)), input - 1)
        }
    }

    /// Forward pass over `planes` planes (N * C); every output element is written.
    // x: (P, inH, inW); out: (P, outH, outW); srcY: (outH); srcX: (outW)
    public static func forward(
        _ x: UnsafePointer<Float>, planes: Int, inH: Int, inW: Int,
        srcY: [Int], srcX: [Int], out: UnsafeMutablePointer<Float>
    ) {
        let outH = srcY.count, outW = srcX.count
        srcY.withUnsafeBufferPointer { sy in
            srcX.withUnsafeBufferPointer { sx in
                Parallel.forRange(planes * outH, cost: outW) { rows in
                    for r in rows {
                        let p = r / outH, oy = r % outH
                        let src = x + p * inH * inW + sy[oy] * inW
                        let dst = out + r * outW
                        for ox in 0..<outW { dst[ox] = src[sx[ox]] }
                    }
                }
            }
        }
    }

    /// Backward pass: gradX (overwritten) accumulates every output gradient at its source,
    /// in row-major destination order.
    // gradOut: (P, outH, outW); gradX: (P, inH, inW)
    public static func backward(
        gradOut: UnsafePointer<Float>, planes: Int, inH: Int, inW: Int,
        srcY: [Int], srcX: [Int], gradX: UnsafeMutablePointer<Float>
    ) {
        let outH = srcY.count, outW = srcX.count
        srcY.withUnsafeBufferPointer { sy in
            srcX.withUnsafeBufferPointer { sx in
                Parallel.forRange(planes, cost: outH * outW) { ps in
                    for p in ps {
                        let gx = gradX + p * inH * inW
                        gx.update(repeating: 0, count: inH * inW)
                        for oy in 0..<outH {
                            let dst = gx + sy[oy] * inW
                            let src = gradOut + (p * outH + oy) * outW
                            for ox in 0..<outW { dst[sx[ox]] += src[ox] }
                        }
                    }
                }
            }
        }
    }
}
