/// 2-D convolution (cross-correlation, as torch.nn.functional.conv2d) as im2col + GEMM.
///
/// Images are processed one at a time; each image's output rows are cut into bands whose
/// column matrix holds about `columnBudget` floats, so the matrix that im2col writes is still
/// in cache when the GEMM reads it. A 1x1, stride-1, unpadded convolution skips im2col: its
/// input already is the column matrix. Small images (RoI heads) go by chunks of images, one
/// GEMM per chunk (ConvChunks.swift). Groups are one GEMM per group on a block of rows of the
/// same column matrix. BLAS runs outside every parallel loop (it uses all cores itself).
/// 3x3 stride-1 convolutions with 64+ channels go by Winograd's F(4x4, 3x3) (Winograd.swift),
/// forward and backward: 36 products per 4x4 outputs instead of 144.
public enum Conv2dKernel {
    /// Floats in one band of the column matrix (4 MiB).
    public static let defaultColumnBudget = 1 << 20
    /// Fewest output positions per band: narrower GEMMs lose BLAS efficiency (repacking the
    /// weights per call, poor thread split), which costs more than a column matrix that
    /// outgrows the budget.
    public static let minBandColumns = 2048

    /// Output rows per band: as many as fit `budget` floats of column matrix, but at least
    /// `minBandColumns` output positions.
    public static func bandRows(_ g: ConvGeometry, budget: Int) -> Int {
        let fit = budget / max(1, g.colRows * g.outW)
        let wide = (minBandColumns + g.outW - 1) / max(1, g.outW)
        return max(1, min(g.outH, max(fit, wide)))
    }

    /// The bands of output rows of one image.
    static func bands(_ g: ConvGeometry, budget: Int) -> [Range<Int>] {
        let band = bandRows(g, budget: budget)
        return stride(from: 0, to: g.outH, by: band).map { $0..<min(g.outH, $0 + band) }
    }

    /// Runs `body` with a column-matrix buffer for one band (nil for a pointwise convolution).
    static func withColumns(
        _ g: ConvGeometry, budget: Int, _ body: (UnsafeMutablePointer<Float>?) -> Void
    ) {
        if g.isPointwise { return body(nil) }
        Scratch.withBuffer(g.colRows * bandRows(g, budget: budget) * g.outW) { body($0) }
    }

    /// Forward pass. `geometry.channels` is Cin (all groups).
    // x: (N, Cin, H, W); weight: (Cout, Cin/groups, kh, kw); bias: (Cout); out: (N, Cout, outH, outW)
    public static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        out: UnsafeMutablePointer<Float>, batch: Int, outChannels: Int, groups: Int,
        geometry g: ConvGeometry, columnBudget: Int = defaultColumnBudget
    ) {
        if WinogradConv.applies(g, outChannels: outChannels, groups: groups, batch: batch) {
            return WinogradConv.forward(x: x, weight: weight, bias: bias, out: out, batch: batch,
                                        outChannels: outChannels, geometry: g)
        }
        let shape = GroupedShape(g, outChannels: outChannels, groups: groups)
        let chunk = ImageChunks.size(plane: g.outPlane, batch: batch)
        if chunk > 1 {
            return forwardChunked(x: x, weight: weight, bias: bias, out: out, batch: batch,
                                  outChannels: outChannels, shape: shape, geometry: g, chunk: chunk)
        }
        let bands = bands(g, budget: columnBudget)
        // With a bias, the output starts as the bias and the GEMMs add to it (beta = 1): BLAS
        // would otherwise spend the same pass zeroing it.
        let beta: Float = bias == nil ? 0 : 1
        withColumns(g, budget: columnBudget) { cols in
            for img in 0..<batch {
                let xi = x + img * g.channels * g.inPlane
                let oi = out + img * outChannels * g.outPlane
                if let bias { fillRows(oi, values: bias, rows: outChannels, length: g.outPlane) }
                guard let cols else {
                    shape.product(weight: weight, cols: xi, ldCols: g.inPlane, out: oi, ldOut: g.outPlane,
                                  columns: g.outPlane, beta: beta)
                    continue
                }
                for rows in bands {
                    let n = rows.count * g.outW
                    Im2col.im2col(xi, g, outRows: rows, into: cols)
                    shape.product(weight: weight, cols: cols, ldCols: n, out: oi + rows.lowerBound * g.outW,
                                  ldOut: g.outPlane, columns: n, beta: beta)
                }
            }
        }
    }

    /// Backward pass: gradients of sum(out * gradOut) for each non-nil destination, all
    /// overwritten (gradWeight sums over the images here).
    // x, gradX: (N, Cin, H, W); weight, gradWeight: (Cout, Cin/groups, kh, kw);
    // gradOut: (N, Cout, outH, outW); gradBias: (Cout)
    public static func backward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
        batch: Int, outChannels: Int, groups: Int, geometry g: ConvGeometry,
        gradX: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
        gradBias: UnsafeMutablePointer<Float>?, columnBudget: Int = defaultColumnBudget
    ) {
        if let gradBias { sumRows(gradOut, batch: batch, rows: outChannels, length: g.outPlane, into: gradBias) }
        if gradX == nil && gradWeight == nil { return }
        if WinogradConv.applies(g, outChannels: outChannels, groups: groups, batch: batch) {
            return WinogradConv.backward(x: x, weight: weight, gradOut: gradOut, batch: batch, outChannels: outChannels,
                                         geometry: g, gradX: gradX, gradWeight: gradWeight)
        }
        let shape = GroupedShape(g, outChannels: outChannels, groups: groups)
        if batch == 0 { return gradWeight?.update(repeating: 0, count: outChannels * shape.k) ?? () }
        let chunk = ImageChunks.size(plane: g.outPlane, batch: batch)
        if chunk > 1 {
            return backwardChunked(x: x, weight: weight, gradOut: gradOut, batch: batch, outChannels: outChannels,
                                   shape: shape, geometry: g, chunk: chunk, gradX: gradX, gradWeight: gradWeight)
        }
        let bands = bands(g, budget: columnBudget)
        withColumns(g, budget: columnBudget) { cols in
            for img in 0..<batch {
                let xi = x + img * g.channels * g.inPlane
                let goi = gradOut + img * outChannels * g.outPlane
                let gxi = gradX.map { $0 + img * g.channels * g.inPlane }
                guard let cols else {
                    // Pointwise: the input is the column matrix and its gradient is one GEMM.
                    if let gradWeight {
                        shape.weightGrad(gradOut: goi, ldOut: g.outPlane, cols: xi, ldCols: g.inPlane,
                                         columns: g.outPlane, beta: img == 0 ? 0 : 1, into: gradWeight)
                    }
                    if let gxi {
                        shape.columnGrad(weight: weight, gradOut: goi, ldOut: g.outPlane,
                                         columns: g.outPlane, into: gxi, ldCols: g.inPlane)
                    }
                    continue
                }
                gxi?.update(repeating: 0, count: g.channels * g.inPlane)  // col2im accumulates
                for rows in bands {
                    let n = rows.count * g.outW
                    let go = goi + rows.lowerBound * g.outW
                    if let gradWeight {
                        Im2col.im2col(xi, g, outRows: rows, into: cols)
                        shape.weightGrad(gradOut: go, ldOut: g.outPlane, cols: cols, ldCols: n, columns: n,
                                         beta: img == 0 && rows.lowerBound == 0 ? 0 : 1, into: gradWeight)
                    }
                    if let gxi {
                        shape.columnGrad(weight: weight, gradOut: go, ldOut: g.outPlane, columns: n, into: cols, ldCols: n)
                        Im2col.col2im(cols, g, outRows: rows, into: gxi)
                    }
                }
            }
        }
    }

    // MARK: Shared helpers (also used by ConvTranspose2d)

    /// rows x length matrix filled row by row with values[row] (bias broadcast).
    // out: (rows, length); values: (rows)
    static func fillRows(_ out: UnsafeMutablePointer<Float>, values: UnsafePointer<Float>, rows: Int, length: Int) {
        Parallel.forRange(rows, cost: length) { r in
            for i in r { (out + i * length).update(repeating: values[i], count: length) }
        }
    }

    /// out[r] = sum over images and positions of x[n, r, :] (bias gradient), summed in Double.
    // x: (batch, rows, length); out: (rows)
    static func sumRows(_ x: UnsafePointer<Float>, batch: Int, rows: Int, length: Int, into out: UnsafeMutablePointer<Float>) {
        Parallel.forRange(rows, cost: batch * length) { r in
            for i in r {
                var acc: Double = 0
                for n in 0..<batch {
                    let row = x + (n * rows + i) * length
                    var s: Float = 0
                    for j in 0..<length { s += row[j] }
                    acc += Double(s)
                }
                out[i] = Float(acc)
            }
        }
    }
}

/// The per-group GEMM shapes of a grouped convolution. Group g owns rows g*cout..<(g+1)*cout
/// of the weight and output matrices and rows g*k..<(g+1)*k of the column matrix.
struct GroupedShape {
    let groups: Int
    let cout: Int  // output channels per group (GEMM M)
    let k: Int  // column rows per group: Cin/groups * kh * kw (GEMM K)

    init(_ g: ConvGeometry, outChannels: Int, groups: Int) {
        checkInvariant(groups > 0 && g.channels % groups == 0 && outChannels % groups == 0,
                     "conv2d: channels \(g.channels) -> \(outChannels) not divisible by groups \(groups)")
        self.groups = groups
        cout = outChannels / groups
        k = g.colRows / groups
    }

    /// out_g = weight_g * cols_g + beta * out_g for every group.
    // weight: (groups * cout, k); cols: (groups * k, columns) ld ldCols; out: (groups * cout, columns) ld ldOut
    func product(
        weight: UnsafePointer<Float>, cols: UnsafePointer<Float>, ldCols: Int,
        out: UnsafeMutablePointer<Float>, ldOut: Int, columns: Int, beta: Float
    ) {
        for grp in 0..<groups {
            Gemm.sgemm(m: cout, n: columns, k: k, a: weight + grp * cout * k, lda: k,
                       b: cols + grp * k * ldCols, ldb: ldCols, beta: beta,
                       c: out + grp * cout * ldOut, ldc: ldOut)
        }
    }

    /// gradWeight_g = gradOut_g * cols_g^T + beta * gradWeight_g for every group.
    // gradOut: (groups * cout, columns) ld ldOut; cols: (groups * k, columns) ld ldCols; gradWeight: (groups * cout, k)
    func weightGrad(
        gradOut: UnsafePointer<Float>, ldOut: Int, cols: UnsafePointer<Float>, ldCols: Int,
        columns: Int, beta: Float, into gradWeight: UnsafeMutablePointer<Float>
    ) {
        for grp in 0..<groups {
            Gemm.sgemm(transB: true, m: cout, n: k, k: columns,
                       a: gradOut + grp * cout * ldOut, lda: ldOut,
                       b: cols + grp * k * ldCols, ldb: ldCols, beta: beta,
                       c: gradWeight + grp * cout * k, ldc: k)
        }
    }

    /// cols_g = weight_g^T * gradOut_g for every group (the column matrix of the input gradient).
    // weight: (groups * cout, k); gradOut: (groups * cout, columns) ld ldOut; cols: (groups * k, columns) ld ldCols
    func columnGrad(
        weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>, ldOut: Int, columns: Int,
        into cols: UnsafeMutablePointer<Float>, ldCols: Int
    ) {
        for grp in 0..<groups {
            Gemm.sgemm(transA: true, m: k, n: columns, k: cout, a: weight + grp * cout * k, lda: k,
                       b: gradOut + grp * cout * ldOut, ldb: ldOut,
                       c: cols + grp * k * ldCols, ldc: ldCols)
        }
    }
}
