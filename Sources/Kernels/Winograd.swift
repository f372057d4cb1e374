/// 3x3 stride-1 convolution by Winograd's minimal filtering (Lavin and Gray, "Fast Algorithms
/// for Convolutional Neural Networks", 2016): F(m x m, 3x3) computes each m x m block of
/// outputs from an (m + 2) x (m + 2) input tile through (m + 2)^2 products instead of 9 m^2:
/// F(2x2, 3x3) does 16 per 4 outputs (2.25x fewer than im2col's GEMM), F(4x4, 3x3) 36 per 16
/// (4x fewer; its transforms have larger coefficients, so its rounding is a small multiple of
/// F(2x2)'s; both are bounded in the tests).
///
/// Work goes by bands of tile rows (a tile row: m output rows of one image; all images' rows in
/// one sequence, so that the 7x7 planes of a RoI head batch as well as one large image). Per
/// band and input channel the tiles are read from a zero-padded copy of their rows and
/// transformed (V = Bt d B) into (m + 2)^2 matrices (Cin x tiles); each is multiplied by its
/// transformed weight matrix (U = G g Gt, Cout x Cin) in one GEMM, and each result folded back
/// into m x m outputs (Y = At M A). Each transform runs along the contiguous rows of a tile
/// (d B, At M A's last step), then on vectors that hold one value of every tile of the band
/// (Bt, At), so the heavier half vectorizes whatever the image size.
///
/// The backward pass: the input gradient is the forward algorithm on gradOut with the weights
/// flipped in both spatial axes and their channel axes swapped, padding 2 - p (a full
/// correlation). The weight gradient runs the forward steps in reverse: the input tiles
/// transformed as forward (V), the gradient of each m x m output block as one of the products
/// (dM = A dy At), per band (m + 2)^2 GEMMs dU += dM Vt (Cout x Cin), and dg = Gt dU G.
public enum WinogradConv {
    /// The output block of one tile: F(2x2, 3x3) or F(4x4, 3x3).
    public enum Tile: Sendable, CaseIterable {
        case f2, f4
    }

    /// Floats of the transformed inputs and products of one band (32 MiB): wider bands make
    /// fewer, wider GEMMs ((m + 2)^2 per band), which BLAS runs closer to its peak, but add to
    /// the peak resident set (64 MiB: +75 MB on Faster R-CNN's, no clear gain in time).
    static let bandBudget = 1 << 23

    /// Whether the convolution is one this path computes (3x3, stride 1, no dilation, one
    /// group, padding at most 2: the input gradient is the same algorithm with padding 2 - p)
    /// and gains from it: with fewer channels or tiles, BLAS runs the thin products (inner
    /// dimension Cin, not 9 Cin; Cout x tiles) too far below its peak to make up for the
    /// transforms. `bench conv`, AMD Zen 4, F(4x4, 3x3) against im2col: 1.5x at 64 channels on
    /// 200x304, 1.8x at 128 on 100x152, 2.0x at 256 on 50x76, 1.8x on the 1024 7x7 planes of
    /// a training box head; no gain at 512 channels on 25x38 (70 tiles).
    public static func applies(_ g: ConvGeometry, outChannels: Int, groups: Int, batch: Int) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1
            && g.dilationW == 1 && g.padH <= 2 && g.padW <= 2 && groups == 1 && g.channels >= minChannels
            && outChannels >= minChannels && g.outH >= 2 && g.outW >= 2
            && batch * ((g.outH + 1) / 2) * ((g.outW + 1) / 2) >= minTiles
    }

    /// Fewest input and output channels for the Winograd path.
    public static let minChannels = 64
    /// Fewest 2x2 output blocks over the batch for the Winograd path.
    public static let minTiles = 512

    /// The tile size used for a convolution: the one with fewer products per image (tiles
    /// times (m + 2)^2), at a tie F(2x2, 3x3), whose rounding is smaller: F(4x4) on 7x7 RoI
    /// planes (144 against 256) and large images, F(2x2) on 2x2, 5x5 and 6x6 planes.
    public static func tile(for g: ConvGeometry) -> Tile {
        func products(_ m: Int) -> Int { ((g.outH + m - 1) / m) * ((g.outW + m - 1) / m) * (m + 2) * (m + 2) }
        return products(4) < products(2) ? .f4 : .f2
    }

    /// out = conv(x, weight) + bias over the batch. Same arguments as `Conv2dKernel.forward`;
    /// `tile` and `bandRows` (tile rows per band) are for tests.
    // x: (N, Cin, H, W); weight: (Cout, Cin, 3, 3); bias: (Cout); out: (N, Cout, outH, outW)
    public static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        out: UnsafeMutablePointer<Float>, batch: Int, outChannels cout: Int, geometry g: ConvGeometry,
        tile: Tile? = nil, bandRows: Int? = nil
    ) {
        switch tile ?? self.tile(for: g) {
        case .f2: WinogradBands<WinogradF2>.forward(x, weight, bias, out, batch, cout, g, bandRows)
        case .f4: WinogradBands<WinogradF4>.forward(x, weight, bias, out, batch, cout, g, bandRows)
        }
    }

    /// Backward pass: gradients of sum(out * gradOut) for each non-nil destination, both
    /// overwritten. Same arguments as `Conv2dKernel.backward` (the bias gradient is not here).
    // x, gradX: (N, Cin, H, W); weight, gradWeight: (Cout, Cin, 3, 3); gradOut: (N, Cout, outH, outW)
    public static func backward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
        batch: Int, outChannels cout: Int, geometry g: ConvGeometry,
        gradX: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
        tile: Tile? = nil, bandRows: Int? = nil
    ) {
        let cin = g.channels
        let tile = tile ?? self.tile(for: g)
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
                        geometry: transposed, tile: tile, bandRows: bandRows)
            }
        }
        guard let gradWeight else { return }
        switch tile {
        case .f2: WinogradBands<WinogradF2>.weightGradient(x, gradOut, batch, cout, g, bandRows, gradWeight)
        case .f4: WinogradBands<WinogradF4>.weightGradient(x, gradOut, batch, cout, g, bandRows, gradWeight)
        }
    }

    /// The transform matrices (Bt, G, At) of a tile size, row by row, for tests' error bounds.
    public static func matrices(_ tile: Tile) -> (bt: [[Float]], g: [[Float]], at: [[Float]]) {
        switch tile {
        case .f2: (WinogradF2.bt, WinogradF2.g, WinogradF2.at)
        case .f4: (WinogradF4.bt, WinogradF4.g, WinogradF4.at)
        }
    }
}

/// One tile size's transforms. Each applies its matrix to vectors: `count` values per vector,
/// input vector r at `src + r * srcStride`, output vector i at `dst + i * dstStride`.
protocol WinogradTransforms {
    /// Output block side m; the input tile is (m + 2) x (m + 2).
    static var m: Int { get }
    /// Bt (alpha x alpha), G (alpha x 3), At (m x alpha), alpha = m + 2.
    static var bt: [[Float]] { get }
    static var g: [[Float]] { get }
    static var at: [[Float]] { get }
    /// alpha outputs from alpha inputs: Bt.
    static func input(_ src: UnsafePointer<Float>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ count: Int)
    /// m outputs from alpha inputs: At, plus `bias`.
    static func output(_ src: UnsafePointer<Float>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ count: Int, bias: Float)
    /// alpha outputs from m inputs: A (the transpose of At).
    static func outputGradient(_ src: UnsafePointer<Float>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ count: Int)
    /// alpha outputs from 3 inputs: G.
    static func weight(_ src: UnsafePointer<Float>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ count: Int)
    /// 3 outputs from alpha inputs: Gt.
    static func weightGradient(_ src: UnsafePointer<Float>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ count: Int)
}

/// F(2x2, 3x3): interpolation points 0, 1, -1 and infinity.
enum WinogradF2: WinogradTransforms {
    static let m = 2
    static let bt: [[Float]] = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    static let g: [[Float]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
    static let at: [[Float]] = [[1, 1, 1, 0], [0, 1, -1, -1]]

    @inline(__always)
    static func input(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q], x2 = s2[q], x3 = s3[q]
            d[q] = x0 - x2
            d1[q] = x1 + x2
            d2[q] = x2 - x1
            d3[q] = x1 - x3
        }
    }

    @inline(__always)
    static func output(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int, bias: Float) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss
        let d1 = d + ds
        for q in 0..<n {
            let x1 = s1[q], x2 = s2[q]
            d[q] = s[q] + x1 + x2 + bias
            d1[q] = x1 - x2 - s3[q] + bias
        }
    }

    @inline(__always)
    static func outputGradient(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q]
            d[q] = x0
            d1[q] = x0 + x1
            d2[q] = x0 - x1
            d3[q] = -x1
        }
    }

    @inline(__always)
    static func weight(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q], x2 = s2[q]
            d[q] = x0
            d1[q] = 0.5 * (x0 + x1 + x2)
            d2[q] = 0.5 * (x0 - x1 + x2)
            d3[q] = x2
        }
    }

    @inline(__always)
    static func weightGradient(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss
        let d1 = d + ds, d2 = d + 2 * ds
        for q in 0..<n {
            let x1 = s1[q], x2 = s2[q]
            d[q] = s[q] + 0.5 * (x1 + x2)
            d1[q] = 0.5 * (x1 - x2)
            d2[q] = 0.5 * (x1 + x2) + s3[q]
        }
    }
}

/// F(4x4, 3x3): interpolation points 0, 1, -1, 2, -2 and infinity (Lavin and Gray's matrices).
enum WinogradF4: WinogradTransforms {
    static let m = 4
    static let bt: [[Float]] = [
        [4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1],
    ]
    static let g: [[Float]] = [
        [1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
        [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1],
    ]
    static let at: [[Float]] = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]

    @inline(__always)
    static func input(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss, s4 = s + 4 * ss, s5 = s + 5 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds, d4 = d + 4 * ds, d5 = d + 5 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q], x2 = s2[q], x3 = s3[q], x4 = s4[q], x5 = s5[q]
            let a = x4 - 4 * x2, b = x3 - 4 * x1  // rows 1, 2: a +- b
            let c = x4 - x2, e = 2 * (x3 - x1)  // rows 3, 4: c +- e
            d[q] = 4 * x0 - 5 * x2 + x4
            d1[q] = a + b
            d2[q] = a - b
            d3[q] = c + e
            d4[q] = c - e
            d5[q] = 4 * x1 - 5 * x3 + x5
        }
    }

    @inline(__always)
    static func output(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int, bias: Float) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss, s4 = s + 4 * ss, s5 = s + 5 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds
        for q in 0..<n {
            let x1 = s1[q], x2 = s2[q], x3 = s3[q], x4 = s4[q]
            let p12 = x1 + x2, m12 = x1 - x2, p34 = x3 + x4, m34 = x3 - x4
            d[q] = s[q] + p12 + p34 + bias
            d1[q] = m12 + 2 * m34 + bias
            d2[q] = p12 + 4 * p34 + bias
            d3[q] = m12 + 8 * m34 + s5[q] + bias
        }
    }

    @inline(__always)
    static func outputGradient(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds, d4 = d + 4 * ds, d5 = d + 5 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q], x2 = s2[q], x3 = s3[q]
            let even1 = x0 + x2, odd1 = x1 + x3, even2 = x0 + 4 * x2, odd2 = 2 * x1 + 8 * x3
            d[q] = x0
            d1[q] = even1 + odd1
            d2[q] = even1 - odd1
            d3[q] = even2 + odd2
            d4[q] = even2 - odd2
            d5[q] = x3
        }
    }

    @inline(__always)
    static func weight(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds, d4 = d + 4 * ds, d5 = d + 5 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q], x2 = s2[q]
            let outer = x0 + x2, far = x0 / 24 + x2 / 6
            d[q] = x0 / 4
            d1[q] = -(outer + x1) / 6
            d2[q] = -(outer - x1) / 6
            d3[q] = far + x1 / 12
            d4[q] = far - x1 / 12
            d5[q] = x2
        }
    }

    @inline(__always)
    static func weightGradient(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss, s4 = s + 4 * ss, s5 = s + 5 * ss
        let d1 = d + ds, d2 = d + 2 * ds
        for q in 0..<n {
            let x1 = s1[q], x2 = s2[q], x3 = s3[q], x4 = s4[q]
            let p12 = x1 + x2, p34 = x3 + x4
            d[q] = s[q] / 4 - p12 / 6 + p34 / 24
            d1[q] = (x2 - x1) / 6 + (x3 - x4) / 12
            d2[q] = (p34 - p12) / 6 + s5[q]
        }
    }
}

/// The band loop and the transforms of whole bands for one tile size.
enum WinogradBands<T: WinogradTransforms> {
    static var alpha: Int { T.m + 2 }

    static func forward(
        _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
        _ out: UnsafeMutablePointer<Float>, _ batch: Int, _ cout: Int, _ g: ConvGeometry, _ bandRows: Int?
    ) {
        let cin = g.channels, a2 = alpha * alpha
        Scratch.withBuffer(a2 * cout * cin) { u in
            transformWeights(weight, cout: cout, cin: cin, into: u)
            forEachBand(g, batch: batch, cout: cout, bandRows: bandRows) { rows, tilesY, tilesX, v, m in
                let tiles = rows.count * tilesX
                transformInputs(x, g, rows: rows, tilesY: tilesY, tilesX: tilesX, into: v)
                for xi in 0..<a2 {
                    Gemm.sgemm(m: cout, n: tiles, k: cin, a: u + xi * cout * cin, lda: cin,
                               b: v + xi * cin * tiles, ldb: tiles, c: m + xi * cout * tiles, ldc: tiles)
                }
                transformOutputs(m, bias: bias, cout: cout, g, rows: rows, tilesY: tilesY, tilesX: tilesX, into: out)
            }
        }
    }

    static func weightGradient(
        _ x: UnsafePointer<Float>, _ gradOut: UnsafePointer<Float>, _ batch: Int, _ cout: Int,
        _ g: ConvGeometry, _ bandRows: Int?, _ gradWeight: UnsafeMutablePointer<Float>
    ) {
        let cin = g.channels, a2 = alpha * alpha
        guard batch > 0, g.outH > 0, g.outW > 0 else { return gradWeight.update(repeating: 0, count: cout * cin * 9) }
        Scratch.withBuffer(a2 * cout * cin) { du in
            forEachBand(g, batch: batch, cout: cout, bandRows: bandRows) { rows, tilesY, tilesX, v, dm in
                let tiles = rows.count * tilesX
                transformInputs(x, g, rows: rows, tilesY: tilesY, tilesX: tilesX, into: v)
                transformOutputGradients(gradOut, cout: cout, g, rows: rows, tilesY: tilesY, tilesX: tilesX, into: dm)
                for xi in 0..<a2 {
                    Gemm.sgemm(transB: true, m: cout, n: cin, k: tiles, a: dm + xi * cout * tiles, lda: tiles,
                               b: v + xi * cin * tiles, ldb: tiles, beta: rows.lowerBound == 0 ? 0 : 1,
                               c: du + xi * cout * cin, ldc: cin)
                }
            }
            foldWeightGradients(du, cout: cout, cin: cin, into: gradWeight)
        }
    }

    /// Runs `body` on each band of tile rows (tile rows of all images in one sequence) with
    /// the tile grid of one image and the band's scratch: its transformed inputs (alpha^2 x Cin
    /// x tiles) and its products or their gradients (alpha^2 x Cout x tiles).
    static func forEachBand(
        _ g: ConvGeometry, batch: Int, cout: Int, bandRows: Int?,
        _ body: (_ rows: Range<Int>, _ tilesY: Int, _ tilesX: Int, _ v: UnsafeMutablePointer<Float>,
                 _ m: UnsafeMutablePointer<Float>) -> Void
    ) {
        let cin = g.channels, a2 = alpha * alpha
        let tilesY = (g.outH + T.m - 1) / T.m, tilesX = (g.outW + T.m - 1) / T.m
        let rows = batch * tilesY
        if rows == 0 || tilesX == 0 { return }
        let band = bandRows ?? max(1, min(rows, WinogradConv.bandBudget / (a2 * (cin + cout) * tilesX)))
        Scratch.withBuffer(a2 * (cin + cout) * band * tilesX) { scratch in
            var first = 0
            while first < rows {
                let count = min(band, rows - first)
                body(first..<(first + count), tilesY, tilesX, scratch, scratch + a2 * cin * count * tilesX)
                first += count
            }
        }
    }

    /// Filters per block of the weight transforms' vectors.
    static var weightBlock: Int { 512 }

    /// U[xi][co][ci] = (G g Gt)[xi]: per block of filters, the 9 weights of each filter spread
    /// into 9 vectors, G applied down the columns of the filters, then along the rows.
    static func transformWeights(_ w: UnsafePointer<Float>, cout: Int, cin: Int, into u: UnsafeMutablePointer<Float>) {
        let plane = cout * cin, block = weightBlock
        Parallel.forRange((plane + block - 1) / block, cost: 40 * block) { r in
            Scratch.withBuffer((9 + 3 * alpha) * block) { work in
                let spread = work, h = work + 9 * block  // spread[k][p], h[i][k][p] = (G g)[i][k]
                for chunk in r {
                    let p0 = chunk * block, n = min(block, plane - p0)
                    for p in 0..<n { for k in 0..<9 { spread[k * block + p] = w[(p0 + p) * 9 + k] } }
                    for k in 0..<3 { T.weight(spread + k * block, 3 * block, h + k * block, 3 * block, n) }
                    for i in 0..<alpha { T.weight(h + 3 * i * block, block, u + alpha * i * plane + p0, plane, n) }
                }
            }
        }
    }

    /// gradWeight[co][ci] = (Gt dU G) for the summed product gradients dU[xi][co][ci].
    static func foldWeightGradients(
        _ du: UnsafePointer<Float>, cout: Int, cin: Int, into gradWeight: UnsafeMutablePointer<Float>
    ) {
        let plane = cout * cin, block = weightBlock
        Parallel.forRange((plane + block - 1) / block, cost: 40 * block) { r in
            Scratch.withBuffer((3 * alpha + 9) * block) { work in
                let h = work, folded = work + 3 * alpha * block  // h[a][j][p] = (Gt dU)[a][j]
                for chunk in r {
                    let p0 = chunk * block, n = min(block, plane - p0)
                    for j in 0..<alpha { T.weightGradient(du + j * plane + p0, alpha * plane, h + j * block, alpha * block, n) }
                    for a in 0..<3 { T.weightGradient(h + alpha * a * block, block, folded + 3 * a * block, block, n) }
                    for p in 0..<n { for k in 0..<9 { gradWeight[(p0 + p) * 9 + k] = folded[k * block + p] } }
                }
            }
        }
    }

    /// V[xi][ci][t] = (Bt d B)[xi] for the input tile d of each tile t of the band (0 outside
    /// the image). Per input channel: the alpha input rows under each tile row are copied with
    /// their zero padding; each tile's rows go through B one by one (alpha contiguous values
    /// each) into alpha^2 vectors over the band's tiles, and Bt combines those vectors.
    static func transformInputs(
        _ x: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>, tilesY: Int, tilesX: Int,
        into v: UnsafeMutablePointer<Float>
    ) {
        let m = T.m, alpha = alpha, a2 = alpha * alpha
        let cin = g.channels, h = g.height, w = g.width
        let tiles = rows.count * tilesX, plane = cin * tiles
        let width = m * tilesX + 2  // padded columns under a tile row
        let slab = alpha * width  // the alpha padded input rows under one tile row
        Parallel.forRange(cin, cost: 8 * a2 * tiles) { r in
            Scratch.withBuffer(rows.count * slab + a2 * tiles) { work in
                let padded = work, columns = work + rows.count * slab  // columns[i][j][t] = (d B)[i][j]
                let lo = min(width, g.padW), hi = min(width, g.padW + w)  // padded column q: input q - padW
                for c in r {
                    for (k, row) in rows.enumerated() {
                        let img = row / tilesY, y0 = m * (row % tilesY) - g.padH
                        let src = x + (img * cin + c) * h * w
                        for i in 0..<alpha {
                            let dst = padded + k * slab + i * width, y = y0 + i
                            guard y >= 0, y < h else {
                                dst.update(repeating: 0, count: width)
                                continue
                            }
                            if lo > 0 { dst.update(repeating: 0, count: lo) }
                            if hi > lo { (dst + lo).update(from: src + y * w + (lo - g.padW), count: hi - lo) }
                            if width > hi { (dst + hi).update(repeating: 0, count: width - hi) }
                        }
                        for t in 0..<tilesX {
                            let tile = padded + k * slab + m * t, index = k * tilesX + t
                            for i in 0..<alpha { T.input(tile + i * width, 1, columns + alpha * i * tiles + index, tiles, 1) }
                        }
                    }
                    for j in 0..<alpha {
                        T.input(columns + j * tiles, alpha * tiles, v + j * plane + c * tiles, alpha * plane, tiles)
                    }
                }
            }
        }
    }

    /// The m x m outputs (At M A) of each tile, plus the bias, written where they fall inside
    /// the output. Per output channel: At combines the alpha^2 product vectors (over all the
    /// band's tiles) into m x alpha, then each tile's m rows go through A one by one and land
    /// in the output rows (the parts inside the output, for the last tile of a row or column).
    static func transformOutputs(
        _ mm: UnsafePointer<Float>, bias: UnsafePointer<Float>?, cout: Int, _ g: ConvGeometry,
        rows: Range<Int>, tilesY: Int, tilesX: Int, into out: UnsafeMutablePointer<Float>
    ) {
        let m = T.m, alpha = alpha
        let tiles = rows.count * tilesX, plane = cout * tiles
        let oh = g.outH, ow = g.outW
        let full = ow / m, rest = ow - full * m  // whole tiles across a row, columns of the last
        Parallel.forRange(cout, cost: 8 * alpha * alpha * tiles) { r in
            Scratch.withBuffer(m * alpha * tiles + m) { work in
                let z = work, part = work + m * alpha * tiles  // z[i][j] = (At M)[i][j]
                for co in r {
                    let b = bias?[co] ?? 0
                    for j in 0..<alpha {
                        T.output(mm + j * plane + co * tiles, alpha * plane, z + j * tiles, alpha * tiles, tiles, bias: 0)
                    }
                    for (k, row) in rows.enumerated() {
                        let img = row / tilesY, oy = m * (row % tilesY)
                        let base = out + (img * cout + co) * oh * ow + oy * ow
                        for i in 0..<min(m, oh - oy) {
                            let dst = base + i * ow, src = z + alpha * i * tiles + k * tilesX
                            for t in 0..<full { T.output(src + t, tiles, dst + m * t, 1, 1, bias: b) }
                            if rest > 0 {
                                T.output(src + full, tiles, part, 1, 1, bias: b)
                                (dst + m * full).update(from: part, count: rest)
                            }
                        }
                    }
                }
            }
        }
    }

    /// dM[xi][co][t] = (A dy At)[xi] for the m x m block dy of gradOut under each tile t of
    /// the band (0 past the output's last row or column). Per output channel: the m rows of
    /// gradOut under each tile row copied with zeros past the output, each tile's rows through
    /// At one by one (m contiguous values each) into m x alpha vectors over the band's tiles,
    /// and A combines those vectors.
    static func transformOutputGradients(
        _ dy: UnsafePointer<Float>, cout: Int, _ g: ConvGeometry, rows: Range<Int>, tilesY: Int, tilesX: Int,
        into dm: UnsafeMutablePointer<Float>
    ) {
        let m = T.m, alpha = alpha
        let oh = g.outH, ow = g.outW
        let tiles = rows.count * tilesX, plane = cout * tiles
        let width = m * tilesX  // output columns under a tile row, zeros past ow
        Parallel.forRange(cout, cost: 8 * alpha * alpha * tiles) { r in
            Scratch.withBuffer(m * width + m * alpha * tiles) { work in
                let padded = work, columns = work + m * width  // columns[r][j][t] = (dy At)[r][j]
                for co in r {
                    for (k, row) in rows.enumerated() {
                        let img = row / tilesY, oy = m * (row % tilesY)
                        let base = dy + (img * cout + co) * oh * ow
                        for i in 0..<m {
                            let dst = padded + i * width
                            guard oy + i < oh else {
                                dst.update(repeating: 0, count: width)
                                continue
                            }
                            dst.update(from: base + (oy + i) * ow, count: ow)
                            if width > ow { (dst + ow).update(repeating: 0, count: width - ow) }
                        }
                        for t in 0..<tilesX {
                            let index = k * tilesX + t
                            for i in 0..<m {
                                T.outputGradient(padded + i * width + m * t, 1, columns + alpha * i * tiles + index, tiles, 1)
                            }
                        }
                    }
                    for j in 0..<alpha {
                        T.outputGradient(columns + j * tiles, alpha * tiles, dm + j * plane + co * tiles, alpha * plane, tiles)
                    }
                }
            }
        }
    }
}
