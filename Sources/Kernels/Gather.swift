/// Index-driven copies along one axis of (outer, n, inner) views: gather and its adjoint
/// scatter-add, and whole-slice index_select / index_add.
public enum Gather {
    /// out[o, j, i] = x[o, idx[o, j, i], i]; idx has shape (outer, m, inner).
    // x: (outer, n, inner), idx/out: (outer, m, inner)
    public static func gather(
        _ x: UnsafePointer<Float>, n: Int, idx: UnsafePointer<Int>, outer: Int, m: Int, inner: Int,
        out: UnsafeMutablePointer<Float>
    ) {
        for o in 0..<outer {
            for j in 0..<m {
                let base = (o * m + j) * inner
                for i in 0..<inner { out[base + i] = x[(o * n + idx[base + i]) * inner + i] }
            }
        }
    }

    /// y[o, idx[o, j, i], i] += src[o, j, i] (the adjoint of `gather`).
    // y: (outer, n, inner), idx/src: (outer, m, inner)
    public static func scatterAdd(
        _ src: UnsafePointer<Float>, idx: UnsafePointer<Int>, outer: Int, m: Int, inner: Int,
        into y: UnsafeMutablePointer<Float>, n: Int
    ) {
        for o in 0..<outer {
            for j in 0..<m {
                let base = (o * m + j) * inner
                for i in 0..<inner { y[(o * n + idx[base + i]) * inner + i] += src[base + i] }
            }
        }
    }

    /// out[o, j, :] = x[o, idx[j], :] for whole inner slices.
    // x: (outer, n, inner), out: (outer, idx.count, inner)
    public static func indexSelect(
        _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, idx: [Int],
        out: UnsafeMutablePointer<Float>
    ) {
        let m = idx.count
        Parallel.forRange(outer * m, cost: inner) { range in
            for p in range {
                let o = p / m, j = p % m
                (out + p * inner).update(from: x + (o * n + idx[j]) * inner, count: inner)
            }
        }
    }

    /// y[o, idx[j], :] += src[o, j, :] (the adjoint of `indexSelect`; serial: idx may repeat).
    public static func indexAdd(
        _ src: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, idx: [Int],
        into y: UnsafeMutablePointer<Float>
    ) {
        let m = idx.count
        for o in 0..<outer {
            for j in 0..<m {
                let s = src + (o * m + j) * inner, d = y + (o * n + idx[j]) * inner
                for i in 0..<inner { d[i] += s[i] }
            }
        }
    }
}
