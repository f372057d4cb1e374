/// 3x3 stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast
/// Algorithms for Convolutional Neural Networks", 2016): each 2x2 block of outputs comes from a
/// 4x4 input tile through 16 products instead of 36, so the GEMM work is 16/36 of im2col's.
///
/// Work goes by bands of tile rows (a tile row: 2 output rows of one image; all images' rows in
/// one sequence, so that the 7x7 planes of a RoI head batch as well as one large image). Per
/// band the input tiles are transformed (V = Bt d B) into 16 matrices (Cin x tiles), each
/// multiplied by its transformed weight matrix (U = G g Gt, Cout x Cin) in one GEMM, and each
/// 4x4 result folded back into 2x2 outputs (Y = At m A). Both transforms run along whole rows
/// (the tiles of a row are the vector lanes), so they vectorize. The transforms add and
/// subtract (weights also halve): the rounding is that of sums of Cin products, as im2col's
/// of 9 Cin, times a small constant.
public enum WinogradConv {
    /// Floats of the transformed inputs and products of one band.
    static let bandBudget = 1 << 23

    /// Whether the convolution is one this path computes (3x3, stride 1, no dilation, one
    /// group) and gains from it: with fewer channels or tiles, BLAS runs the 16 thin products
    /// (inner dimension Cin, not 9 Cin) too far below its peak to make up for the transforms
    /// (`bench conv`, AMD Zen 4: 0.90x im2col's speed at 64 channels, 1.0x at 128, 1.23x at 256;
    /// 0.98x with 247 tiles at 512 channels).
    /// Padding is at most 2: the input gradient is the same algorithm with padding 2 - p.
    public static func applies(_ g: ConvGeometry, outChannels: Int, groups: Int, batch: Int) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1
            && g.dilationW == 1 && g.padH <= 2 && g.padW <= 2 && groups == 1 && g.channels >= minChannels && outChannels >= minChannels
            && g.outH >= 2 && g.outW >= 2 && batch * ((g.outH + 1) / 2) * ((g.outW + 1) / 2) >= minTiles
    }

    /// Fewest input and output channels for the Winograd path.
    public static let minChannels = 256
    /// Fewest tiles (2x2 outputs) over the batch for the Winograd path.
    public static let minTiles = 512

    /// out = conv(x, weight) + bias over the batch. Same arguments as `Conv2dKernel.forward`;
    /// `bandRows` (tile rows per band) is for tests.
    // x: (N, Cin, H, W); weight: (Cout, Cin, 3, 3); bias: (Cout); out: (N, Cout, outH, outW)
    public static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        out: UnsafeMutablePointer<Float>, batch: Int, outChannels cout: Int, geometry g: ConvGeometry,
        bandRows: Int? = nil
    ) {
        let cin = g.channels
        let tilesY = (g.outH + 1) / 2, tilesX = (g.outW + 1) / 2
        let rows = batch * tilesY
        if rows == 0 { return }
        let band = bandRows ?? max(1, min(rows, bandBudget / (16 * (cin + cout) * tilesX)))
        Scratch.withBuffer(16 * cout * cin) { u in
            transformWeights(weight, cout: cout, cin: cin, into: u)
            Scratch.withBuffer(16 * (cin + cout) * band * tilesX) { scratch in
                var first = 0
                while first < rows {
                    let count = min(band, rows - first), tiles = count * tilesX
                    let v = scratch, m = scratch + 16 * cin * tiles
                    transformInputs(x, g, rows: first..<(first + count), tilesY: tilesY, tilesX: tilesX, into: v)
                    for xi in 0..<16 {
                        Gemm.sgemm(m: cout, n: tiles, k: cin, a: u + xi * cout * cin, lda: cin,
                                   b: v + xi * cin * tiles, ldb: tiles, c: m + xi * cout * tiles, ldc: tiles)
                    }
                    transformOutputs(m, bias: bias, cout: cout, g, rows: first..<(first + count),
                                     tilesY: tilesY, tilesX: tilesX, into: out)
                    first += count
                }
            }
        }
    }

    /// Backward pass: gradients of sum(out * gradOut) for each non-nil destination, both
    /// overwritten. Same arguments as `Conv2dKernel.backward` (the bias gradient is not here).
    ///
    /// The input gradient is the forward algorithm run on gradOut with the weights flipped in
    /// both spatial axes and their channel axes swapped, padding 2 - p (a full correlation).
    /// The weight gradient runs the forward pass's steps in reverse: per band the input tiles
    /// are transformed as forward (V), the gradient of each 2x2 output block becomes a 4x4
    /// gradient of the products (A dy At), the 16 matrices dU = dM Vt (Cout x Cin, summed over
    /// the tiles of all bands) come from 16 GEMMs, and dg = Gt dU G folds each back to 3x3.
    // x, gradX: (N, Cin, H, W); weight, gradWeight: (Cout, Cin, 3, 3); gradOut: (N, Cout, outH, outW)
    public static func backward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
        batch: Int, outChannels cout: Int, geometry g: ConvGeometry,
        gradX: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?, bandRows: Int? = nil
    ) {
        let cin = g.channels
        if let gradX {
            checkInvariant(g.padH <= 2 && g.padW <= 2, "WinogradConv.backward: padding \(g.padH), \(g.padW) above 2")
            let transposed = ConvGeometry(channels: cout, height: g.outH, width: g.outW, kernel: (3, 3),
                                          padding: (2 - g.padH, 2 - g.padW))
            checkInvariant(transposed.outH == g.height && transposed.outW == g.width,
                           "WinogradConv.backward: \(g) has no stride-1 transpose")
            Scratch.withBuffer(cin * cout * 9) { flipped in
                Parallel.forRange(cin, cost: 9 * cout) { r in
                    for ci in r {
                        for co in 0..<cout {
                            let src = weight + (co * cin + ci) * 9, dst = flipped + (ci * cout + co) * 9
                            for k in 0..<9 { dst[k] = src[8 - k] }
                        }
                    }
                }
                forward(x: gradOut, weight: flipped, bias: nil, out: gradX, batch: batch, outChannels: cin,
                        geometry: transposed, bandRows: bandRows)
            }
        }
        if let gradWeight { weightGradient(x: x, gradOut: gradOut, batch: batch, outChannels: cout, geometry: g,
                                           bandRows: bandRows, into: gradWeight) }
    }

    static func weightGradient(
        x: UnsafePointer<Float>, gradOut: UnsafePointer<Float>, batch: Int, outChannels cout: Int,
        geometry g: ConvGeometry, bandRows: Int?, into gradWeight: UnsafeMutablePointer<Float>
    ) {
        let cin = g.channels
        let tilesY = (g.outH + 1) / 2, tilesX = (g.outW + 1) / 2
        let rows = batch * tilesY
        guard rows > 0 else { return gradWeight.update(repeating: 0, count: cout * cin * 9) }
        let band = bandRows ?? max(1, min(rows, bandBudget / (16 * (cin + cout) * tilesX)))
        Scratch.withBuffer(16 * cout * cin) { du in
            Scratch.withBuffer(16 * (cin + cout) * band * tilesX) { scratch in
                var first = 0
                while first < rows {
                    let count = min(band, rows - first), tiles = count * tilesX
                    let v = scratch, dm = scratch + 16 * cin * tiles
                    transformInputs(x, g, rows: first..<(first + count), tilesY: tilesY, tilesX: tilesX, into: v)
                    transformOutputGradients(gradOut, cout: cout, g, rows: first..<(first + count),
                                             tilesY: tilesY, tilesX: tilesX, into: dm)
                    for xi in 0..<16 {
                        Gemm.sgemm(transB: true, m: cout, n: cin, k: tiles, a: dm + xi * cout * tiles, lda: tiles,
                                   b: v + xi * cin * tiles, ldb: tiles, beta: first == 0 ? 0 : 1,
                                   c: du + xi * cout * cin, ldc: cin)
                    }
                    first += count
                }
            }
            foldWeightGradients(du, cout: cout, cin: cin, into: gradWeight)
        }
    }

    /// dM[xi][co][t] = (A dy At)[xi] for the 2x2 block dy of gradOut under each tile t of the
    /// band (0 past the output's last row or column), with A the transpose of forward's At:
    /// rows (1, 0), (1, 1), (1, -1), (0, -1). Per output channel: A across the two rows of each
    /// tile row at once, then across the two columns of each tile.
    static func transformOutputGradients(
        _ dy: UnsafePointer<Float>, cout: Int, _ g: ConvGeometry, rows: Range<Int>, tilesY: Int, tilesX: Int,
        into dm: UnsafeMutablePointer<Float>
    ) {
        let oh = g.outH, ow = g.outW
        let tiles = rows.count * tilesX, plane = cout * tiles
        let width = 2 * tilesX  // output columns under a tile row, the last one 0 for odd widths
        Parallel.forRange(cout, cost: 24 * tiles) { r in
            Scratch.withBuffer(6 * width) { work in
                let r0 = work, r1 = work + width  // the tile row's two output rows, zero padded
                let e = work + 2 * width  // e[i] = A[i] (r0, r1) for i = 1, 2 (e0 = r0, e3 = -r1)
                for co in r {
                    for (k, row) in rows.enumerated() {
                        let img = row / tilesY, oy = 2 * (row % tilesY)
                        let src = dy + (img * cout + co) * oh * ow + oy * ow
                        r0.update(from: src, count: ow)
                        if width > ow { r0[ow] = 0 }
                        if oy + 1 < oh {
                            r1.update(from: src + ow, count: ow)
                            if width > ow { r1[ow] = 0 }
                        } else {
                            r1.update(repeating: 0, count: width)
                        }
                        let e1 = e, e2 = e + width
                        for q in 0..<width {
                            e1[q] = r0[q] + r1[q]
                            e2[q] = r0[q] - r1[q]
                        }
                        // Row i of A dy, then (.) At across each tile's two columns.
                        for i in 0..<4 {
                            let source = i == 0 ? r0 : i == 3 ? r1 : (i == 1 ? e1 : e2)
                            let sign: Float = i == 3 ? -1 : 1
                            let out0 = dm + (4 * i) * plane + co * tiles + k * tilesX
                            let out1 = out0 + plane, out2 = out0 + 2 * plane, out3 = out0 + 3 * plane
                            for t in 0..<tilesX {
                                let a = sign * source[2 * t], b = sign * source[2 * t + 1]
                                out0[t] = a
                                out1[t] = a + b
                                out2[t] = a - b
                                out3[t] = -b
                            }
                        }
                    }
                }
            }
        }
    }

    /// gradWeight[co][ci] = Gt dU[.][co][ci] G (3x3 from the 16 summed product gradients).
    static func foldWeightGradients(
        _ du: UnsafePointer<Float>, cout: Int, cin: Int, into gradWeight: UnsafeMutablePointer<Float>
    ) {
        let plane = cout * cin
        Parallel.forRange(plane, cost: 64) { r in
            for p in r {
                // h[i] = dU[i][.] G (a row of 3), then Gt h the same way down the columns.
                func fold(_ a: Float, _ b: Float, _ c: Float, _ d: Float) -> SIMD3<Float> {
                    SIMD3(a + 0.5 * (b + c), 0.5 * (b - c), 0.5 * (b + c) + d)
                }
                func row(_ i: Int) -> SIMD3<Float> {
                    fold(du[(4 * i) * plane + p], du[(4 * i + 1) * plane + p],
                         du[(4 * i + 2) * plane + p], du[(4 * i + 3) * plane + p])
                }
                let h0 = row(0), h1 = row(1), h2 = row(2), h3 = row(3)
                let top = h0 + 0.5 * (h1 + h2), middle = 0.5 * (h1 - h2), bottom = 0.5 * (h1 + h2) + h3
                let out = gradWeight + p * 9
                for j in 0..<3 {
                    out[j] = top[j]
                    out[3 + j] = middle[j]
                    out[6 + j] = bottom[j]
                }
            }
        }
    }

    /// U[xi][co][ci] = (G g Gt)[xi] with G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]].
    static func transformWeights(_ w: UnsafePointer<Float>, cout: Int, cin: Int, into u: UnsafeMutablePointer<Float>) {
        let plane = cout * cin
        Parallel.forRange(plane, cost: 64) { r in
            for p in r {
                let g = w + p * 9
                let g0 = SIMD4<Float>(g[0], g[1], g[2], 0), g1 = SIMD4<Float>(g[3], g[4], g[5], 0)
                let g2 = SIMD4<Float>(g[6], g[7], g[8], 0)
                func store(_ row: SIMD4<Float>, _ i: Int) {
                    u[(4 * i) * plane + p] = row[0]
                    u[(4 * i + 1) * plane + p] = 0.5 * (row[0] + row[1] + row[2])
                    u[(4 * i + 2) * plane + p] = 0.5 * (row[0] - row[1] + row[2])
                    u[(4 * i + 3) * plane + p] = row[2]
                }
                store(g0, 0)  // the rows of G g
                store(0.5 * (g0 + g1 + g2), 1)
                store(0.5 * (g0 - g1 + g2), 2)
                store(g2, 3)
            }
        }
    }

    /// V[xi][ci][t] = (Bt d B)[xi] for the 4x4 input tile d of each tile t of the band, with
    /// Bt = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]; outside the image is 0.
    /// Per input channel: the 4 input rows under each tile row of the band are copied with
    /// their zero padding, combined by Bt across all of them at once, and combined by B across
    /// the columns of each tile (columns 2t .. 2t + 3).
    static func transformInputs(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>, tilesY: Int, tilesX: Int,
        into v: UnsafeMutablePointer<Float>
    ) {
        let cin = g.channels, h = g.height, w = g.width
        let tiles = rows.count * tilesX, plane = cin * tiles
        let width = 2 * tilesX + 2  // padded columns under a tile row
        let span = rows.count * width  // one of the 4 input rows under every tile row
        Parallel.forRange(cin, cost: 24 * tiles) { r in
            Scratch.withBuffer(8 * span) { work in
                let d = work, bt = work + 4 * span  // d[i][row][col], bt the same after Bt
                for c in r {
                    for (k, row) in rows.enumerated() {
                        let img = row / tilesY, y0 = 2 * (row % tilesY) - g.padH
                        let src = x + (img * cin + c) * h * w
                        for i in 0..<4 {
                            let dst = d + i * span + k * width
                            let y = y0 + i
                            guard y >= 0, y < h else {
                                dst.update(repeating: 0, count: width)
                                continue
                            }
                            // Padded column q is input column q - padW.
                            let lo = min(width, g.padW), hi = min(width, g.padW + w)
                            if lo > 0 { dst.update(repeating: 0, count: lo) }
                            if hi > lo { (dst + lo).update(from: src + y * w + (lo - g.padW), count: hi - lo) }
                            if width > hi { (dst + hi).update(repeating: 0, count: width - hi) }
                        }
                    }
                    let d0 = d, d1 = d + span, d2 = d + 2 * span, d3 = d + 3 * span
                    let b0 = bt, b1 = bt + span, b2 = bt + 2 * span, b3 = bt + 3 * span
                    for q in 0..<span {
                        b0[q] = d0[q] - d2[q]
                        b1[q] = d1[q] + d2[q]
                        b2[q] = d2[q] - d1[q]
                        b3[q] = d1[q] - d3[q]
                    }
                    for k in 0..<rows.count {
                        for i in 0..<4 {
                            let row = bt + i * span + k * width
                            let out0 = v + (4 * i) * plane + c * tiles + k * tilesX
                            let out1 = out0 + plane, out2 = out0 + 2 * plane, out3 = out0 + 3 * plane
                            for t in 0..<tilesX {
                                let a = row[2 * t], b = row[2 * t + 1], cc = row[2 * t + 2], dd = row[2 * t + 3]
                                out0[t] = a - cc
                                out1[t] = b + cc
                                out2[t] = cc - b
                                out3[t] = b - dd
                            }
                        }
                    }
                }
            }
        }
    }

    /// The 2x2 outputs (At m A, At = [[1, 1, 1, 0], [0, 1, -1, -1]]) of each tile, plus the
    /// bias, written where they fall inside the output. Per output channel the fold runs over
    /// all tiles of the band at once (contiguous in each product matrix), then the four
    /// outputs of each tile go to their places row by row.
    static func transformOutputs(
        _ m: UnsafePointer<Float>, bias: UnsafePointer<Float>?, cout: Int, _ g: ConvGeometry,
        rows: Range<Int>, tilesY: Int, tilesX: Int, into out: UnsafeMutablePointer<Float>
    ) {
        let tiles = rows.count * tilesX, plane = cout * tiles
        let oh = g.outH, ow = g.outW
        Parallel.forRange(cout, cost: 24 * tiles) { r in
            Scratch.withBuffer(8 * tiles) { work in
                let s0 = work, s1 = work + 4 * tiles  // At m: s0 = m0 + m1 + m2, s1 = m1 - m2 - m3
                for co in r {
                    let b = bias?[co] ?? 0
                    let p = m + co * tiles
                    for j in 0..<4 {
                        let m0 = p + j * plane, m1 = p + (4 + j) * plane
                        let m2 = p + (8 + j) * plane, m3 = p + (12 + j) * plane
                        let a0 = s0 + j * tiles, a1 = s1 + j * tiles
                        for t in 0..<tiles {
                            a0[t] = m0[t] + m1[t] + m2[t]
                            a1[t] = m1[t] - m2[t] - m3[t]
                        }
                    }
                    // (.) A over the columns: y_r0 = s_r0 + s_r1 + s_r2, y_r1 = s_r1 - s_r2 - s_r3,
                    // computed in place into the first two columns of s.
                    func foldColumns(_ s: UnsafeMutablePointer<Float>) {
                        let c0 = s, c1 = s + tiles, c2 = s + 2 * tiles, c3 = s + 3 * tiles
                        for t in 0..<tiles {
                            let left = c0[t] + c1[t] + c2[t] + b
                            c1[t] = c1[t] - c2[t] - c3[t] + b
                            c0[t] = left
                        }
                    }
                    foldColumns(s0)
                    foldColumns(s1)
                    let full = ow / 2
                    for (k, row) in rows.enumerated() {
                        let img = row / tilesY, oy = 2 * (row % tilesY)
                        let dst = out + (img * cout + co) * oh * ow + oy * ow
                        let t0 = k * tilesX
                        func place(_ s: UnsafeMutablePointer<Float>, _ rowOut: UnsafeMutablePointer<Float>) {
                            let left = s + t0, right = s + tiles + t0
                            for t in 0..<full {
                                rowOut[2 * t] = left[t]
                                rowOut[2 * t + 1] = right[t]
                            }
                            if full < tilesX { rowOut[2 * full] = left[full] }
                        }
                        place(s0, dst)
                        if oy + 1 < oh { place(s1, dst + ow) }
                    }
                }
            }
        }
    }
}
