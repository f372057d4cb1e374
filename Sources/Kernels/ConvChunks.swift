/// Convolutions of many small images (RoI heads: 14x14 or 28x28 planes, hundreds of RoIs).
///
/// One GEMM per image would have only H * W columns, far too narrow for BLAS. Instead a chunk
/// of images fills side-by-side column blocks of one column matrix, one GEMM covers the whole
/// chunk, and a (cheap) copy moves rows between the chunk's (C, images * H * W) layout and
/// NCHW.
enum ImageChunks {
    /// Images per chunk: enough for `Conv2dKernel.minBandColumns` GEMM columns when one image's
    /// `plane` is smaller than that; 1 (no chunking) otherwise.
    static func size(plane: Int, batch: Int) -> Int {
        guard plane > 0, plane < Conv2dKernel.minBandColumns, batch > 1 else { return 1 }
        return min(batch, (Conv2dKernel.minBandColumns + plane - 1) / plane)
    }

    /// dst[r, i * plane + j] = src_i[r, j] for images i of a chunk (NCHW to chunk layout).
    // src: (count, rows, plane) with image stride rows * plane; dst: (rows, count * plane)
    static func gather(
        _ src: UnsafePointer<Float>, rows: Int, plane: Int, count: Int, into dst: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRange(rows * count, cost: plane) { items in
            for item in items {
                let r = item / count, i = item % count
                (dst + r * count * plane + i * plane).update(from: src + (i * rows + r) * plane, count: plane)
            }
        }
    }

    /// dst_i[r, j] = src[r, i * plane + j] (+ bias[r]) for images i of a chunk (chunk layout to NCHW).
    // src: (rows, count * plane); dst: (count, rows, plane); bias: (rows)
    static func scatter(
        _ src: UnsafePointer<Float>, rows: Int, plane: Int, count: Int,
        into dst: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil
    ) {
        Parallel.forRange(rows * count, cost: plane) { items in
            for item in items {
                let r = item / count, i = item % count
                let s = src + r * count * plane + i * plane, d = dst + (i * rows + r) * plane
                if let bias {
                    let b = bias[r]
                    for j in 0..<plane { d[j] = s[j] + b }
                } else {
                    d.update(from: s, count: plane)
                }
            }
        }
    }
}

extension Conv2dKernel {
    /// Forward pass over chunks of `chunk` images (see ImageChunks).
    static func forwardChunked(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        out: UnsafeMutablePointer<Float>, batch: Int, outChannels: Int, shape: GroupedShape,
        geometry g: ConvGeometry, chunk: Int
    ) {
        let p = g.outPlane
        Scratch.withBuffer(g.colRows * chunk * p) { cols in
            Scratch.withBuffer(outChannels * chunk * p) { product in
                for i0 in stride(from: 0, to: batch, by: chunk) {
                    let count = min(chunk, batch - i0), ld = count * p
                    for i in 0..<count {
                        Im2col.im2col(x + (i0 + i) * g.channels * g.inPlane, g, outRows: 0..<g.outH,
                                      into: cols + i * p, rowStride: ld)
                    }
                    shape.product(weight: weight, cols: cols, ldCols: ld, out: product, ldOut: ld, columns: ld, beta: 0)
                    ImageChunks.scatter(product, rows: outChannels, plane: p, count: count,
                                        into: out + i0 * outChannels * p, bias: bias)
                }
            }
        }
    }

    /// Backward pass over chunks of `chunk` images (see ImageChunks); gradients overwritten.
    static func backwardChunked(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
        batch: Int, outChannels: Int, shape: GroupedShape, geometry g: ConvGeometry, chunk: Int,
        gradX: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?
    ) {
        let p = g.outPlane
        Scratch.withBuffer(g.colRows * chunk * p) { cols in
            Scratch.withBuffer(outChannels * chunk * p) { go in
                for i0 in stride(from: 0, to: batch, by: chunk) {
                    let count = min(chunk, batch - i0), ld = count * p
                    ImageChunks.gather(gradOut + i0 * outChannels * p, rows: outChannels, plane: p, count: count, into: go)
                    if let gradWeight {
                        for i in 0..<count {
                            Im2col.im2col(x + (i0 + i) * g.channels * g.inPlane, g, outRows: 0..<g.outH,
                                          into: cols + i * p, rowStride: ld)
                        }
                        shape.weightGrad(gradOut: go, ldOut: ld, cols: cols, ldCols: ld, columns: ld,
                                         beta: i0 == 0 ? 0 : 1, into: gradWeight)
                    }
                    guard let gradX else { continue }
                    shape.columnGrad(weight: weight, gradOut: go, ldOut: ld, columns: ld, into: cols, ldCols: ld)
                    for i in 0..<count {
                        let gxi = gradX + (i0 + i) * g.channels * g.inPlane
                        gxi.update(repeating: 0, count: g.channels * g.inPlane)  // col2im accumulates
                        Im2col.col2im(cols + i * p, g, outRows: 0..<g.outH, into: gxi, rowStride: ld)
                    }
                }
            }
        }
    }
}

extension ConvTranspose2dKernel {
    /// Forward pass over chunks of `chunk` images (see ImageChunks).
    static func forwardChunked(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        out: UnsafeMutablePointer<Float>, batch: Int, inChannels cin: Int, geometry g: ConvGeometry, chunk: Int
    ) {
        let p = g.outPlane  // the transposed convolution's input plane
        Scratch.withBuffer(g.colRows * chunk * p) { cols in
            Scratch.withBuffer(cin * chunk * p) { xs in
                for i0 in stride(from: 0, to: batch, by: chunk) {
                    let count = min(chunk, batch - i0), ld = count * p
                    ImageChunks.gather(x + i0 * cin * p, rows: cin, plane: p, count: count, into: xs)
                    Gemm.sgemm(transA: true, m: g.colRows, n: ld, k: cin, a: weight, lda: g.colRows,
                               b: xs, ldb: ld, c: cols, ldc: ld)
                    for i in 0..<count {
                        let oi = out + (i0 + i) * g.channels * g.inPlane
                        initialize(oi, bias: bias, g)
                        Im2col.col2im(cols + i * p, g, outRows: 0..<g.outH, into: oi, rowStride: ld)
                    }
                }
            }
        }
    }

    /// Backward pass over chunks of `chunk` images (see ImageChunks); gradients overwritten.
    static func backwardChunked(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
        batch: Int, inChannels cin: Int, geometry g: ConvGeometry, chunk: Int,
        gradX: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?
    ) {
        let p = g.outPlane
        Scratch.withBuffer(g.colRows * chunk * p) { cols in
            Scratch.withBuffer(cin * chunk * p) { xs in
                for i0 in stride(from: 0, to: batch, by: chunk) {
                    let count = min(chunk, batch - i0), ld = count * p
                    for i in 0..<count {
                        Im2col.im2col(gradOut + (i0 + i) * g.channels * g.inPlane, g, outRows: 0..<g.outH,
                                      into: cols + i * p, rowStride: ld)
                    }
                    if let gradWeight {
                        ImageChunks.gather(x + i0 * cin * p, rows: cin, plane: p, count: count, into: xs)
                        Gemm.sgemm(transB: true, m: cin, n: g.colRows, k: ld, a: xs, lda: ld, b: cols, ldb: ld,
                                   beta: i0 == 0 ? 0 : 1, c: gradWeight, ldc: g.colRows)
                    }
                    if let gradX {
                        Gemm.sgemm(m: cin, n: ld, k: g.colRows, a: weight, lda: g.colRows, b: cols, ldb: ld,
                                   c: xs, ldc: ld)
                        ImageChunks.scatter(xs, rows: cin, plane: p, count: count, into: gradX + i0 * cin * p)
                    }
                }
            }
        }
    }
}
