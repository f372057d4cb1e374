import Kernels
import Testing

/// Conv2d and ConvTranspose2d kernels against direct loops in Double, with the default band
/// size and with one-row bands (every band boundary exercised).
@Suite struct ConvKernelTests {
    struct Case: CustomStringConvertible, Sendable {
        var n = 2, cin = 4, cout = 6, h = 7, w = 9, k = 3, s = 1, p = 1, d = 1, groups = 1
        var description: String { "n\(n) \(cin)->\(cout) \(h)x\(w) k\(k) s\(s) p\(p) d\(d) g\(groups)" }
    }

    static let cases: [Case] = [
        Case(),
        Case(s: 2),
        Case(h: 8, w: 8, s: 2, p: 0),
        Case(p: 2, d: 2),
        Case(groups: 2),
        Case(k: 1, p: 0),
        Case(k: 1, p: 0, groups: 2),
        Case(k: 1, s: 2, p: 0),
        Case(cin: 3, cout: 4, h: 11, w: 10, k: 7, s: 2, p: 3),
        // Wide rows: the eight-wide stride-2 paths of im2col / col2im, and their row-end tails.
        Case(n: 1, cin: 2, cout: 3, h: 5, w: 41, s: 2),
        Case(n: 1, cin: 2, cout: 3, h: 6, w: 40, s: 2, p: 2, d: 2),
        Case(n: 1, cin: 3, cout: 2, h: 9, w: 45, k: 7, s: 2, p: 3),
        // Several chunks of small images (1600-position planes: two images per chunk), the
        // last one partial; with groups; pointwise.
        Case(n: 5, cin: 2, cout: 3, h: 40, w: 40),
        Case(n: 3, cin: 4, cout: 2, h: 40, w: 40, groups: 2),
        Case(n: 3, cin: 3, cout: 2, h: 30, w: 40, k: 1, p: 0),
    ]

    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in rng.nextNormal() }
    }

    /// Visits every (n, o, oh, ow, c, ky, kx) term of the convolution with flat indices.
    static func forEachTerm(_ c: Case, _ g: ConvGeometry, _ body: (_ out: Int, _ x: Int, _ w: Int) -> Void) {
        let cg = c.cin / c.groups, og = c.cout / c.groups
        for n in 0..<c.n { for o in 0..<c.cout { for oh in 0..<g.outH { for ow in 0..<g.outW {
            for ci in 0..<cg { for ky in 0..<c.k { for kx in 0..<c.k {
                let ih = oh * c.s - c.p + ky * c.d, iw = ow * c.s - c.p + kx * c.d
                if ih < 0 || ih >= c.h || iw < 0 || iw >= c.w { continue }
                let cIn = (o / og) * cg + ci
                body(((n * c.cout + o) * g.outH + oh) * g.outW + ow,
                     ((n * c.cin + cIn) * c.h + ih) * c.w + iw,
                     ((o * cg + ci) * c.k + ky) * c.k + kx)
            } } }
        } } } }
    }

    static func expectNear(_ a: [Float], _ e: [Double], _ what: String) {
        #expect(a.count == e.count, "\(what): count")
        // Relative to the largest magnitude: float32 sums of order-one terms cancel in places.
        let scale = e.map(abs).max() ?? 1
        let worst = zip(a, e).map { abs(Double($0) - $1) / scale }.max() ?? 0
        #expect(worst < 1e-5, "\(what): worst error \(worst) of the largest magnitude")
    }

    @Test(arguments: cases, [Conv2dKernel.defaultColumnBudget, 1])
    func conv2dMatchesDirectLoops(c: Case, budget: Int) {
        let g = ConvGeometry(channels: c.cin, height: c.h, width: c.w, kernel: (c.k, c.k),
                             stride: (c.s, c.s), padding: (c.p, c.p), dilation: (c.d, c.d))
        let x = Self.values(c.n * c.cin * c.h * c.w, seed: 1)
        let w = Self.values(c.cout * c.cin / c.groups * c.k * c.k, seed: 2)
        let b = Self.values(c.cout, seed: 3)
        let go = Self.values(c.n * c.cout * g.outPlane, seed: 4)
        var out = [Double](repeating: 0, count: go.count)
        var gx = [Double](repeating: 0, count: x.count), gw = [Double](repeating: 0, count: w.count)
        Self.forEachTerm(c, g) { o, i, k in
            out[o] += Double(x[i]) * Double(w[k])
            gx[i] += Double(go[o]) * Double(w[k])
            gw[k] += Double(go[o]) * Double(x[i])
        }
        for i in 0..<out.count { out[i] += Double(b[(i / g.outPlane) % c.cout]) }
        var gb = [Double](repeating: 0, count: c.cout)
        for i in 0..<go.count { gb[(i / g.outPlane) % c.cout] += Double(go[i]) }

        var y = [Float](repeating: .nan, count: go.count)
        var gxF = [Float](repeating: .nan, count: x.count), gwF = [Float](repeating: .nan, count: w.count)
        var gbF = [Float](repeating: .nan, count: c.cout)
        Conv2dKernel.forward(x: x, weight: w, bias: b, out: &y, batch: c.n, outChannels: c.cout,
                       groups: c.groups, geometry: g, columnBudget: budget)
        Conv2dKernel.backward(x: x, weight: w, gradOut: go, batch: c.n, outChannels: c.cout, groups: c.groups,
                        geometry: g, gradX: &gxF, gradWeight: &gwF, gradBias: &gbF, columnBudget: budget)
        Self.expectNear(y, out, "\(c) out")
        Self.expectNear(gxF, gx, "\(c) grad x")
        Self.expectNear(gwF, gw, "\(c) grad weight")
        Self.expectNear(gbF, gb, "\(c) grad bias")
    }

    /// (kernel, stride, padding, batch, input height, input width)
    static let transposed = [(2, 2, 0, 2, 4, 6), (3, 2, 1, 2, 4, 6), (3, 1, 1, 2, 4, 6), (4, 3, 0, 2, 4, 6),
                             (2, 2, 0, 1, 5, 7), (2, 2, 0, 5, 30, 40), (3, 2, 1, 3, 30, 40)]

    @Test(arguments: transposed, [Conv2dKernel.defaultColumnBudget, 1])
    func convTranspose2dIsTheAdjointOfConv2d(c: (Int, Int, Int, Int, Int, Int), budget: Int) {
        // <convT(x), y> == <x, conv(y)> for the same weight: the transposed convolution is the
        // input-gradient map of the convolution.
        let (k, s, p, n, h, w) = c
        let (cin, cout) = (3, 5)
        let g = ConvTranspose2dKernel.geometry(outChannels: cout, height: h, width: w, kernel: (k, k),
                                         stride: (s, s), padding: (p, p))
        let x = Self.values(n * cin * h * w, seed: 5), wt = Self.values(cin * cout * k * k, seed: 6)
        let y = Self.values(n * cout * g.inPlane, seed: 7)
        var t = [Float](repeating: .nan, count: y.count)
        ConvTranspose2dKernel.forward(x: x, weight: wt, bias: nil, out: &t, batch: n, inChannels: cin,
                                geometry: g, columnBudget: budget)
        var cy = [Float](repeating: .nan, count: x.count)
        // conv with weight (Cin, Cout, k, k) read as (Cout' = Cin, Cin' = Cout, k, k).
        Conv2dKernel.forward(x: y, weight: wt, bias: nil, out: &cy, batch: n, outChannels: cin, groups: 1,
                       geometry: g, columnBudget: budget)
        let lhs = zip(t, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x, cy).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(lhs - rhs) <= 1e-4 * max(1, abs(lhs)), "\(c): \(lhs) vs \(rhs)")
        // Backward: convT's input gradient for upstream y is conv(y); its weight gradient is the
        // convolution's weight gradient with input y and upstream x.
        var gx = [Float](repeating: .nan, count: x.count), gw = [Float](repeating: .nan, count: wt.count)
        var gwConv = gw
        ConvTranspose2dKernel.backward(x: x, weight: wt, gradOut: y, batch: n, inChannels: cin, geometry: g,
                                 gradX: &gx, gradWeight: &gw, gradBias: nil, columnBudget: budget)
        Conv2dKernel.backward(x: y, weight: wt, gradOut: x, batch: n, outChannels: cin, groups: 1, geometry: g,
                        gradX: nil, gradWeight: &gwConv, gradBias: nil, columnBudget: budget)
        Self.expectNear(gx, cy.map(Double.init), "\(c) grad x")
        Self.expectNear(gw, gwConv.map(Double.init), "\(c) grad weight")
    }
}

/// Winograd's F(2x2, 3x3) and F(4x4, 3x3) paths of Conv2dKernel against direct loops in
/// Double. Forward bound per output: the transforms mix every weight of a filter with every
/// input of its tile; the largest total weight C a (weight, input) pair gets in an output is
/// (max over r, k, l of sum_i |At[r][i] G[i][k] Bt[i][l]|)^2 (4 for F(2x2), 1024/9 for F(4x4)),
/// and each product goes through at most Cin + 32 float32 roundings, so |error| <= C (Cin + 32)
/// u sum over channels of (sum |w|) (sum over the tile of |x|). The root-mean-square error must
/// also stay at the level of float32 sums (1e-6 of the outputs' RMS for F(2x2); F(4x4)'s larger
/// coefficients allow 1e-5).
@Suite struct WinogradConvTests {
    /// (batch, cin, cout, height, width, padding, tile rows per band or nil)
    static let cases: [(Int, Int, Int, Int, Int, Int, Int?)] = [
        (1, 16, 16, 8, 8, 1, nil), (2, 32, 24, 7, 9, 1, nil), (3, 16, 32, 7, 7, 1, 3),
        (1, 24, 16, 13, 6, 0, 2), (2, 16, 16, 5, 11, 2, nil), (1, 64, 48, 31, 17, 1, 5),
        (4, 16, 16, 4, 5, 0, 1), (2, 16, 16, 14, 14, 1, 3),
    ]

    /// The largest total weight of one (weight, input) pair in one output (see the suite).
    static func pairWeight(_ tile: WinogradConv.Tile) -> Double {
        let (bt, g, at) = WinogradConv.matrices(tile)
        var c1 = 0.0
        for r in at.indices { for k in 0..<3 { for l in bt.indices {
            c1 = max(c1, bt.indices.reduce(0.0) { $0 + abs(Double(at[r][$1] * g[$1][k] * bt[$1][l])) })
        } } }
        return c1 * c1
    }

    static func rmsLimit(_ tile: WinogradConv.Tile) -> Double { tile == .f2 ? 1e-6 : 1e-5 }

    @Test func pairWeights() {
        #expect(Self.pairWeight(.f2) == 4)
        #expect(abs(Self.pairWeight(.f4) - 1024.0 / 9) < 1e-3)
    }

    @Test(arguments: 0..<cases.count, WinogradConv.Tile.allCases)
    func matchesDirectLoops(_ index: Int, _ tile: WinogradConv.Tile) {
        let (n, cin, cout, h, w, p, band) = Self.cases[index]
        let c = ConvKernelTests.Case(n: n, cin: cin, cout: cout, h: h, w: w, k: 3, s: 1, p: p)
        let g = ConvGeometry(channels: cin, height: h, width: w, kernel: (3, 3), padding: (p, p))
        #expect(!WinogradConv.applies(g, outChannels: cout, groups: 1, batch: n), "few channels: im2col")
        let x = ConvKernelTests.values(n * cin * h * w, seed: 11)
        let wt = ConvKernelTests.values(cout * cin * 9, seed: 12)
        let b = ConvKernelTests.values(cout, seed: 13)
        var exact = [Double](repeating: 0, count: n * cout * g.outPlane)
        ConvKernelTests.forEachTerm(c, g) { o, i, k in exact[o] += Double(x[i]) * Double(wt[k]) }
        for i in exact.indices { exact[i] += Double(b[(i / g.outPlane) % cout]) }
        var y = [Float](repeating: .nan, count: exact.count)
        WinogradConv.forward(x: x, weight: wt, bias: b, out: &y, batch: n, outChannels: cout, geometry: g,
                             tile: tile, bandRows: band)
        let (worst, rms) = Self.forwardErrors(y, exact, x: x, weight: wt, bias: b, batch: n, outChannels: cout,
                                              geometry: g, tile: tile)
        #expect(worst <= 1, "case \(index) \(tile): worst error \(worst) of the bound")
        #expect(rms < Self.rmsLimit(tile), "case \(index) \(tile): relative RMS error \(rms)")
    }

    /// Worst error of `y` as a fraction of the forward algorithm's float32 bound (see the
    /// suite), and the RMS error relative to the RMS of `exact`.
    static func forwardErrors(
        _ y: [Float], _ exact: [Double], x: [Float], weight wt: [Float], bias b: [Float]?, batch n: Int,
        outChannels cout: Int, geometry g: ConvGeometry, tile: WinogradConv.Tile
    ) -> (worst: Double, rms: Double) {
        let cin = g.channels, h = g.height, w = g.width
        let m = tile == .f2 ? 2 : 4, c = pairWeight(tile)
        let u = Double(Float.ulpOfOne) / 2
        var worst = 0.0, squares = 0.0, scale = 0.0
        for img in 0..<n { for co in 0..<cout { for oy in 0..<g.outH { for ox in 0..<g.outW {
            var magnitude = abs(Double(b?[co] ?? 0))
            let ty = oy / m * m - g.padH, tx = ox / m * m - g.padW  // the tile's corner in the input
            for ci in 0..<cin {
                let filter = (0..<9).reduce(0.0) { $0 + abs(Double(wt[(co * cin + ci) * 9 + $1])) }
                var tile = 0.0
                for yy in ty..<(ty + m + 2) where yy >= 0 && yy < h {
                    for xx in tx..<(tx + m + 2) where xx >= 0 && xx < w { tile += abs(Double(x[((img * cin + ci) * h + yy) * w + xx])) }
                }
                magnitude += filter * tile
            }
            let i = ((img * cout + co) * g.outH + oy) * g.outW + ox
            let error = abs(Double(y[i]) - exact[i])
            worst = max(worst, error / (c * Double(cin + 32) * u * magnitude))
            squares += error * error
            scale += exact[i] * exact[i]
        } } } }
        return (worst, (squares / scale).squareRoot())
    }

    /// The backward pass against direct loops in Double. The input gradient is the forward
    /// algorithm on gradOut with the flipped, transposed weights (padding 2 - p), so it has the
    /// forward's bound for that convolution. The weight gradient sums T tiles' products (T over
    /// all images) and folds them with the same total pair weight C: bound C (T + 32) u times
    /// the sum over tiles of (sum|gradOut| over the tile's output block) x (sum|x| over its
    /// input tile).
    @Test(arguments: 0..<cases.count, WinogradConv.Tile.allCases)
    func backwardMatchesDirectLoops(_ index: Int, _ tile: WinogradConv.Tile) {
        let (n, cin, cout, h, w, p, band) = Self.cases[index]
        let c = ConvKernelTests.Case(n: n, cin: cin, cout: cout, h: h, w: w, k: 3, s: 1, p: p)
        let g = ConvGeometry(channels: cin, height: h, width: w, kernel: (3, 3), padding: (p, p))
        let x = ConvKernelTests.values(n * cin * h * w, seed: 31)
        let wt = ConvKernelTests.values(cout * cin * 9, seed: 32)
        let dy = ConvKernelTests.values(n * cout * g.outPlane, seed: 33)
        var exactX = [Double](repeating: 0, count: x.count), exactW = [Double](repeating: 0, count: wt.count)
        ConvKernelTests.forEachTerm(c, g) { o, i, k in
            exactX[i] += Double(dy[o]) * Double(wt[k])
            exactW[k] += Double(dy[o]) * Double(x[i])
        }
        var gx = [Float](repeating: .nan, count: x.count), gw = [Float](repeating: .nan, count: wt.count)
        WinogradConv.backward(x: x, weight: wt, gradOut: dy, batch: n, outChannels: cout, geometry: g,
                              gradX: &gx, gradWeight: &gw, tile: tile, bandRows: band)

        var flipped = [Float](repeating: 0, count: wt.count)
        for co in 0..<cout { for ci in 0..<cin { for k in 0..<9 { flipped[(ci * cout + co) * 9 + 8 - k] = wt[(co * cin + ci) * 9 + k] } } }
        let transposed = ConvGeometry(channels: cout, height: g.outH, width: g.outW, kernel: (3, 3), padding: (2 - p, 2 - p))
        let (worstX, rmsX) = Self.forwardErrors(gx, exactX, x: dy, weight: flipped, bias: nil, batch: n,
                                                outChannels: cin, geometry: transposed, tile: tile)
        #expect(worstX <= 1, "case \(index) \(tile): input gradient's worst error \(worstX) of the bound")
        #expect(rmsX < Self.rmsLimit(tile), "case \(index) \(tile): input gradient's relative RMS error \(rmsX)")

        let u = Double(Float.ulpOfOne) / 2
        let m = tile == .f2 ? 2 : 4, pair = Self.pairWeight(tile)
        let tilesY = (g.outH + m - 1) / m, tilesX = (g.outW + m - 1) / m
        var worstW = 0.0, squares = 0.0, scale = 0.0
        for co in 0..<cout { for ci in 0..<cin {
            var magnitude = 0.0
            for img in 0..<n { for ty in 0..<tilesY { for tx in 0..<tilesX {
                var block = 0.0, tile = 0.0
                for oy in (m * ty)..<min(g.outH, m * ty + m) { for ox in (m * tx)..<min(g.outW, m * tx + m) {
                    block += abs(Double(dy[((img * cout + co) * g.outH + oy) * g.outW + ox]))
                } }
                for yy in (m * ty - p)..<(m * ty - p + m + 2) where yy >= 0 && yy < h {
                    for xx in (m * tx - p)..<(m * tx - p + m + 2) where xx >= 0 && xx < w {
                        tile += abs(Double(x[((img * cin + ci) * h + yy) * w + xx]))
                    }
                }
                magnitude += block * tile
            } } }
            for k in 0..<9 {
                let i = (co * cin + ci) * 9 + k
                let error = abs(Double(gw[i]) - exactW[i])
                worstW = max(worstW, error / (pair * Double(n * tilesY * tilesX + 32) * u * magnitude))
                squares += error * error
                scale += exactW[i] * exactW[i]
            }
        } }
        let rmsW = (squares / scale).squareRoot()
        #expect(worstW <= 1, "case \(index) \(tile): weight gradient's worst error \(worstW) of the bound")
        #expect(rmsW < Self.rmsLimit(tile), "case \(index) \(tile): weight gradient's relative RMS error \(rmsW)")
    }

    /// Conv2dKernel.forward and backward take the Winograd path where it gains (64 channels or
    /// more in and out, 128 2x2 blocks or more, padding at most 2), im2col elsewhere.
    @Test func wideConvolutionsTakeThePath() {
        let wide = ConvGeometry(channels: 256, height: 46, width: 45, kernel: (3, 3), padding: (1, 1))
        #expect(WinogradConv.applies(wide, outChannels: 256, groups: 1, batch: 1))
        #expect(WinogradConv.applies(wide, outChannels: 64, groups: 1, batch: 1))
        let tiles = [7, 14, 46, 2, 5, 6].map {
            WinogradConv.tile(for: ConvGeometry(channels: 256, height: $0, width: $0, kernel: (3, 3), padding: (1, 1)))
        }
        #expect(tiles == [.f4, .f4, .f4, .f2, .f2, .f2], "fewer products, F(2x2) at a tie")
        #expect(!WinogradConv.applies(wide, outChannels: 32, groups: 1, batch: 1))
        let small = ConvGeometry(channels: 256, height: 13, width: 19, kernel: (3, 3), padding: (1, 1))  // 7 x 10 blocks
        #expect(!WinogradConv.applies(small, outChannels: 256, groups: 1, batch: 1))
        #expect(WinogradConv.applies(small, outChannels: 256, groups: 1, batch: 2))
        let strided = ConvGeometry(channels: 256, height: 46, width: 45, kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        #expect(!WinogradConv.applies(strided, outChannels: 256, groups: 1, batch: 4))
        let x = ConvKernelTests.values(256 * 46 * 45, seed: 21)
        let w = ConvKernelTests.values(256 * 256 * 9, seed: 22).map { $0 * 0.02 }
        var viaConv = [Float](repeating: .nan, count: 256 * wide.outPlane)
        var direct = viaConv
        Conv2dKernel.forward(x: x, weight: w, bias: nil, out: &viaConv, batch: 1, outChannels: 256, groups: 1, geometry: wide)
        WinogradConv.forward(x: x, weight: w, bias: nil, out: &direct, batch: 1, outChannels: 256, geometry: wide)
        #expect(viaConv == direct)
        let dy = ConvKernelTests.values(256 * wide.outPlane, seed: 23)
        var gx = [Float](repeating: .nan, count: x.count), gw = [Float](repeating: .nan, count: w.count)
        var wgx = gx, wgw = gw
        Conv2dKernel.backward(x: x, weight: w, gradOut: dy, batch: 1, outChannels: 256, groups: 1, geometry: wide,
                              gradX: &gx, gradWeight: &gw, gradBias: nil)
        WinogradConv.backward(x: x, weight: w, gradOut: dy, batch: 1, outChannels: 256, geometry: wide,
                              gradX: &wgx, gradWeight: &wgw)
        #expect(gx == wgx && gw == wgw)
        let padded = ConvGeometry(channels: 256, height: 46, width: 45, kernel: (3, 3), padding: (3, 3))
        #expect(!WinogradConv.applies(padded, outChannels: 256, groups: 1, batch: 1), "padding above 2: im2col")
    }
}
