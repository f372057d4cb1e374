/// Window geometry of a 2-D convolution (or pooling) over the planes of one image: input
/// planes, kernel, stride, padding, dilation, and the output size that follows from them.
///
/// Output size per axis: floor((in + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1.
public struct ConvGeometry: Sendable, Equatable, CustomStringConvertible {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernelH: Int
    public let kernelW: Int
    public let strideH: Int
    public let strideW: Int
    public let padH: Int
    public let padW: Int
    public let dilationH: Int
    public let dilationW: Int
    public let outH: Int
    public let outW: Int

    public init(
        channels: Int, height: Int, width: Int,
        kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        dilation: (Int, Int) = (1, 1)
    ) {
        checkInvariant(
            kernel.0 > 0 && kernel.1 > 0 && stride.0 > 0 && stride.1 > 0 && dilation.0 > 0
                && dilation.1 > 0 && padding.0 >= 0 && padding.1 >= 0,
            "ConvGeometry: invalid kernel \(kernel), stride \(stride), padding \(padding), dilation \(dilation)")
        self.channels = channels
        self.height = height
        self.width = width
        (kernelH, kernelW) = kernel
        (strideH, strideW) = stride
        (padH, padW) = padding
        (dilationH, dilationW) = dilation
        outH = ConvGeometry.outputSize(height, kernel.0, stride.0, padding.0, dilation.0)
        outW = ConvGeometry.outputSize(width, kernel.1, stride.1, padding.1, dilation.1)
    }

    /// floor((n + 2p - d(k-1) - 1) / s) + 1, or 0 when the window does not fit.
    public static func outputSize(_ n: Int, _ k: Int, _ s: Int, _ p: Int, _ d: Int) -> Int {
        let span = n + 2 * p - d * (k - 1) - 1
        return span < 0 ? 0 : span / s + 1
    }

    public var inPlane: Int { height * width }
    public var outPlane: Int { outH * outW }
    public var kernelArea: Int { kernelH * kernelW }
    /// Rows of the column matrix: one per (channel, ky, kx).
    public var colRows: Int { channels * kernelArea }
    /// A 1x1, stride-1, unpadded window: the column matrix is the input itself.
    public var isPointwise: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0
    }

    public var description: String {
        "\(channels)x\(height)x\(width) k\(kernelH)x\(kernelW) s\(strideH)x\(strideW) "
            + "p\(padH)x\(padW) d\(dilationH)x\(dilationW) -> \(outH)x\(outW)"
    }

    /// Output columns `lo..<hi` whose input column ow * s - p + kx * d lies inside the image.
    @inline(__always)
    func validColumns(kx: Int) -> (lo: Int, hi: Int) {
        let off = kx * dilationW - padW  // iw = ow * s + off
        let lo = off >= 0 ? 0 : (-off + strideW - 1) / strideW
        let last = width - 1 - off
        let hi = last < 0 ? 0 : Swift.min(outW, last / strideW + 1)
        return (Swift.min(lo, hi), hi)
    }
}

/// im2col / col2im: the column matrix of a convolution, one row per (channel, ky, kx) and one
/// column per output position, so that a convolution is one GEMM with the weight matrix.
///
/// Both work on a band of output rows `outRows`, so a caller can tile a large image and keep the
/// column matrix in cache. Both split their loops across cores (never calling BLAS).
public enum Im2col {
    /// Fills cols with the input windows of output rows `outRows`; every element is written.
    /// Rows of cols are `rowStride` apart (default: packed), so several images can fill
    /// side-by-side column blocks of one matrix.
    // x: (C, H, W); cols: (C * kh * kw, outRows.count * outW) with row stride rowStride
    public static func im2col(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, outRows: Range<Int>,
        into cols: UnsafeMutablePointer<Float>, rowStride: Int? = nil
    ) {
        let n = outRows.count * g.outW, ld = rowStride ?? n
        Parallel.forRange(g.colRows, cost: n) { rows in
            for r in rows { fillRow(x, g, row: r, outRows: outRows, dst: cols + r * ld) }
        }
    }

    /// One row (c, ky, kx) of the column matrix.
    @inline(__always)
    static func fillRow(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, row r: Int, outRows: Range<Int>,
        dst: UnsafeMutablePointer<Float>
    ) {
        let c = r / g.kernelArea, ky = (r / g.kernelW) % g.kernelH, kx = r % g.kernelW
        let plane = x + c * g.inPlane
        let (lo, hi) = g.validColumns(kx: kx)
        let colOff = kx * g.dilationW - g.padW
        let outW = g.outW, sw = g.strideW
        var d = dst
        for oh in outRows {
            let ih = oh * g.strideH - g.padH + ky * g.dilationH
            if ih < 0 || ih >= g.height {
                d.update(repeating: 0, count: outW)
            } else {
                if lo > 0 { d.update(repeating: 0, count: lo) }
                let src = plane + ih * g.width + colOff
                if sw == 1 {
                    (d + lo).update(from: src + lo, count: hi - lo)
                } else if sw == 2 {
                    gatherEven(src, d, lo, hi, limit: g.width - colOff)
                } else {
                    for ow in lo..<hi { d[ow] = src[ow * sw] }
                }
                if hi < outW { (d + hi).update(repeating: 0, count: outW - hi) }
            }
            d += outW
        }
    }

    /// d[ow] = src[2 * ow] for ow in lo..<hi, eight at a time; src[i] is readable for i < limit.
    @inline(__always)
    static func gatherEven(
        _ src: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ lo: Int, _ hi: Int, limit: Int
    ) {
        var ow = lo
        let raw = UnsafeRawPointer(src), out = UnsafeMutableRawPointer(d)
        while ow + 8 <= hi && 2 * ow + 16 <= limit {
            let v = raw.loadUnaligned(fromByteOffset: 8 * ow, as: SIMD16<Float>.self)
            out.storeBytes(of: v.evenHalf, toByteOffset: 4 * ow, as: SIMD8<Float>.self)
            ow += 8
        }
        while ow < hi {
            d[ow] = src[2 * ow]
            ow += 1
        }
    }

    /// Adds the column matrix of output rows `outRows` back onto the input (the adjoint of
    /// im2col): x[c, ih, iw] += cols[(c, ky, kx), (oh, ow)] for every window that reads it.
    /// Each input row is owned by one worker, so the split has no write conflicts.
    // cols: (C * kh * kw, outRows.count * outW) with row stride rowStride; x: (C, H, W), accumulated into
    public static func col2im(
        _ cols: UnsafePointer<Float>, _ g: ConvGeometry, outRows: Range<Int>,
        into x: UnsafeMutablePointer<Float>, rowStride: Int? = nil
    ) {
        let n = rowStride ?? outRows.count * g.outW
        // Input rows the band's windows touch.
        let ihLo = max(0, outRows.lowerBound * g.strideH - g.padH)
        let ihHi = min(g.height, (outRows.upperBound - 1) * g.strideH - g.padH + (g.kernelH - 1) * g.dilationH + 1)
        if outRows.isEmpty || ihLo >= ihHi { return }
        let span = ihHi - ihLo
        Parallel.forRange(g.channels * span, cost: g.kernelArea * g.width) { items in
            for item in items {
                let c = item / span, ih = ihLo + item % span
                addRow(cols + c * g.kernelArea * n, g, ih: ih, outRows: outRows, n: n,
                       dst: x + (c * g.height + ih) * g.width)
            }
        }
    }

    /// Gathers into input row ih of one channel every column entry that reads it.
    @inline(__always)
    static func addRow(
        _ chanCols: UnsafePointer<Float>, _ g: ConvGeometry, ih: Int, outRows: Range<Int>, n: Int,
        dst: UnsafeMutablePointer<Float>
    ) {
        let sw = g.strideW
        for ky in 0..<g.kernelH {
            let t = ih + g.padH - ky * g.dilationH  // = oh * strideH
            if t < 0 || t % g.strideH != 0 { continue }
            let oh = t / g.strideH
            if !outRows.contains(oh) { continue }
            for kx in 0..<g.kernelW {
                let (lo, hi) = g.validColumns(kx: kx)
                if lo >= hi { continue }
                let src = chanCols + (ky * g.kernelW + kx) * n + (oh - outRows.lowerBound) * g.outW
                let d = dst + (kx * g.dilationW - g.padW)
                if sw == 1 {
                    for ow in lo..<hi { d[ow] += src[ow] }
                } else if sw == 2 {
                    scatterAddEven(src, d, lo, hi, limit: g.width - (kx * g.dilationW - g.padW))
                } else {
                    for ow in lo..<hi { d[ow * sw] += src[ow] }
                }
            }
        }
    }

    /// d[2 * ow] += src[ow] for ow in lo..<hi, eight at a time; d[i] is writable for i < limit.
    @inline(__always)
    static func scatterAddEven(
        _ src: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ lo: Int, _ hi: Int, limit: Int
    ) {
        var ow = lo
        let raw = UnsafeRawPointer(src), out = UnsafeMutableRawPointer(d)
        while ow + 8 <= hi && 2 * ow + 16 <= limit {
            var v = out.loadUnaligned(fromByteOffset: 8 * ow, as: SIMD16<Float>.self)
            v.evenHalf += raw.loadUnaligned(fromByteOffset: 4 * ow, as: SIMD8<Float>.self)
            out.storeBytes(of: v, toByteOffset: 8 * ow, as: SIMD16<Float>.self)
            ow += 8
        }
        while ow < hi {
            d[2 * ow] += src[ow]
            ow += 1
        }
    }
}
