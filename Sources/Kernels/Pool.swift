/// 2-D max pooling (torch.nn.functional.max_pool2d, no dilation, floor mode) over planes.
///
/// Padding is implicit -inf. The saved index of each output is the flat h * W + w position of
/// its maximum in the input plane. On ties the FIRST maximum in row-major window order wins (a
/// later value replaces the maximum only when strictly greater, or when it is NaN, as in
/// PyTorch's CPU kernel), and the backward pass routes the whole gradient to that position.
public enum MaxPool2dKernel {
    /// Forward pass over `g.channels` planes (N * C). Every output (and index, when `indices`
    /// is given: the backward needs them, inference does not) is written.
    // x: (P, H, W); out, indices: (P, outH, outW)
    public static func forward(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry,
        out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?
    ) {
        checkInvariant(g.inPlane <= Int(Int32.max), "max_pool2d: plane of \(g.inPlane) elements is too large for Int32 indices")
        Parallel.forRange(g.channels * g.outH, cost: g.outW * g.kernelArea) { rows in
            for r in rows {
                let p = r / g.outH, oh = r % g.outH
                poolRow(x + p * g.inPlane, g, oh: oh, out: out + r * g.outW, indices: indices.map { $0 + r * g.outW })
            }
        }
    }

    /// One output row of one plane. The row's outputs (and indices) hold the running maxima;
    /// the candidates of every window are visited in row-major order (ih, then kx), so the
    /// loop over output columns is innermost and runs eight columns at a time.
    @inline(__always)
    static func poolRow(
        _ plane: UnsafePointer<Float>, _ g: ConvGeometry, oh: Int,
        out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?
    ) {
        let h0 = oh * g.strideH - g.padH
        let hLo = max(h0, 0), hHi = min(h0 + g.kernelH, g.height)
        out.update(repeating: -.infinity, count: g.outW)
        if let indices {
            // An all -inf window keeps its first in-image position (as PyTorch).
            for ow in 0..<g.outW { indices[ow] = Int32(hLo * g.width + max(ow * g.strideW - g.padW, 0)) }
        }
        for ih in hLo..<hHi {
            for kx in 0..<g.kernelW {
                let (lo, hi) = g.validColumns(kx: kx)
                let off = kx - g.padW
                let candidates = Candidates(src: plane + ih * g.width + off, stride: g.strideW,
                                            limit: g.width - off, base: Int32(ih * g.width + off))
                if let indices {
                    candidates.update(out, indices, lo, hi)
                } else {
                    candidates.update(out, lo, hi)
                }
            }
        }
    }

    /// One input row's candidates src[ow * stride] for output columns ow (flat input index
    /// base + ow * stride); src[i] is readable for i < limit.
    struct Candidates {
        let src: UnsafePointer<Float>
        let stride: Int
        let limit: Int
        let base: Int32

        /// Whether the eight candidates from column ow can be loaded as one vector.
        @inline(__always)
        func vectorFits(_ ow: Int) -> Bool {
            (stride == 1 && ow + 8 <= limit) || (stride == 2 && 2 * ow + 16 <= limit)
        }

        @inline(__always)
        func load8(_ ow: Int) -> SIMD8<Float> {
            let raw = UnsafeRawPointer(src)
            if stride == 1 { return raw.loadUnaligned(fromByteOffset: 4 * ow, as: SIMD8<Float>.self) }
            return raw.loadUnaligned(fromByteOffset: 8 * ow, as: SIMD16<Float>.self).evenHalf
        }

        /// out[ow] = max(out[ow], candidate) for ow in lo..<hi (NaN wins, as `v > m || v.isNaN`).
        @inline(__always)
        func update(_ out: UnsafeMutablePointer<Float>, _ lo: Int, _ hi: Int) {
            var ow = lo
            let o = UnsafeMutableRawPointer(out)
            while ow + 8 <= hi && vectorFits(ow) {
                let v = load8(ow)
                var m = o.loadUnaligned(fromByteOffset: 4 * ow, as: SIMD8<Float>.self)
                m.replace(with: v, where: (v .> m) .| (v .!= v))
                o.storeBytes(of: m, toByteOffset: 4 * ow, as: SIMD8<Float>.self)
                ow += 8
            }
            while ow < hi {
                let v = src[ow * stride]
                if v > out[ow] || v.isNaN { out[ow] = v }
                ow += 1
            }
        }

        /// As `update`, also replacing indices[ow] by the winning candidate's flat index.
        @inline(__always)
        func update(_ out: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int32>, _ lo: Int, _ hi: Int) {
            var ow = lo
            let o = UnsafeMutableRawPointer(out), ix = UnsafeMutableRawPointer(indices)
            let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* Int32(stride)
            while ow + 8 <= hi && vectorFits(ow) {
                let v = load8(ow)
                var m = o.loadUnaligned(fromByteOffset: 4 * ow, as: SIMD8<Float>.self)
                var i = ix.loadUnaligned(fromByteOffset: 4 * ow, as: SIMD8<Int32>.self)
                let take = (v .> m) .| (v .!= v)
                m.replace(with: v, where: take)
                i.replace(with: lanes &+ (base &+ Int32(ow * stride)), where: take)
                o.storeBytes(of: m, toByteOffset: 4 * ow, as: SIMD8<Float>.self)
                ix.storeBytes(of: i, toByteOffset: 4 * ow, as: SIMD8<Int32>.self)
                ow += 8
            }
            while ow < hi {
                let v = src[ow * stride]
                if v > out[ow] || v.isNaN {
                    out[ow] = v
                    indices[ow] = base + Int32(ow * stride)
                }
                ow += 1
            }
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
