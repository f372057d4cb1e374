/// Layout copies: axis permutation and strided block copies (concat, slice, index_select).
public enum Permute {
    /// out = x permuted so that out's axis i is x's axis perm[i]; out contiguous.
    // x: shape, out: perm.map { shape[$0] }
    public static func copy(
        _ x: UnsafePointer<Float>, shape: [Int], perm: [Int], out: UnsafeMutablePointer<Float>
    ) {
        let r = shape.count
        let inStrides = StridedLayout.contiguousStrides(shape)
        let outShape = perm.map { shape[$0] }
        let src = perm.map { inStrides[$0] }  // input stride along each output axis
        let total = outShape.reduce(1, *)
        if total == 0 { return }
        if r == 0 { out[0] = x[0]; return }
        let n = outShape[r - 1], sLast = src[r - 1]
        let rows = total / n
        Parallel.forRange(rows, cost: n) { range in
            for row in range {
                var rem = row, off = 0
                var d = r - 2
                while d >= 0 {
                    off += (rem % outShape[d]) * src[d]
                    rem /= outShape[d]
                    d -= 1
                }
                let o = out + row * n, xi = x + off
                if sLast == 1 { o.update(from: xi, count: n) } else {
                    for j in 0..<n { o[j] = xi[j * sLast] }
                }
            }
        }
    }

    /// Copies `outer` blocks of `block` floats from x (row pitch `xPitch`) to out (pitch
    /// `outPitch`), accumulating when `accumulate`. The building block of concat and slice.
    public static func blocks(
        _ x: UnsafePointer<Float>, xPitch: Int, _ out: UnsafeMutablePointer<Float>, outPitch: Int,
        outer: Int, block: Int, accumulate: Bool = false
    ) {
        Parallel.forRange(outer, cost: block) { range in
            for o in range {
                let s = x + o * xPitch, d = out + o * outPitch
                if accumulate { for j in 0..<block { d[j] += s[j] } } else { d.update(from: s, count: block) }
            }
        }
    }
}
