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
    /// transforms. `bench conv`, AMD Zen 4, F(4x4, 3x3) against im2col, each core running
    /// whole products (`Gemm.concurrently`): 1.9x at 64 channels on 200x304, 2.2x at 128 on
    /// 100x152, 2.3x at 256 on 50x76, 1.9x on the 1024 7x7 planes of a training box head,
    /// 1.5x at 512 on 25x38 (247 blocks), 1.2x at 256 on 2x16x16 (128 blocks); 0.6x at 256 on
    /// 13x19 (70 blocks), 0.5x on 2x8x8 (32). Each product runs on one core as with a single
    /// BLAS thread (a process per core), so the threshold holds there too.
    public static func applies(_ g: ConvGeometry, outChannels: Int, groups: Int, batch: Int) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1
            && g.dilationW == 1 && g.padH <= 2 && g.padW <= 2 && groups == 1 && g.channels >= minChannels
            && outChannels >= minChannels && g.outH >= 2 && g.outW >= 2
            && batch * ((g.outH + 1) / 2) * ((g.outW + 1) / 2) >= minTiles
    }

    /// Fewest input and output channels for the Winograd path.
    public static let minChannels = 64
    /// Fewest 2x2 output blocks over the batch for the Winograd path.
    public static let minTiles = 128

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
