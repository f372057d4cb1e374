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
                Gemm.concurrently(a2) { xi in
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
                Gemm.concurrently(a2) { xi in
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
