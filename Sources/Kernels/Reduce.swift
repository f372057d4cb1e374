/// Reductions over axes: sums (for sum/mean and for broadcasting backward) and max/argmax.
public enum Reduce {
    /// out[o] = sum of x over the reduced dims. `shape` is x's shape; `reduce[d]` marks
    /// reduced dims. out is contiguous in the kept dims (row-major), zero-initialised here.
    // x: shape, out: shape with reduced dims removed
    public static func sum(
        _ x: UnsafePointer<Float>, shape: [Int], reduce: [Bool], out: UnsafeMutablePointer<Float>
    ) {
        let outShape = zip(shape, reduce).map { $1 ? 1 : $0 }
        let outCount = outShape.reduce(1, *)
        out.update(repeating: 0, count: outCount)
        // The output is "operand 1" with stride 0 on reduced dims; merge dims with the layout.
        let layout = StridedLayout(outShape: shape, operands: [shape, outShape])
        let n = layout.rowLength
        let so = layout.strides[1].last!
        // Rows that write disjoint outputs could run in parallel; keep it simple and serial
        // over rows, with a vectorisable inner loop.
        for r in 0..<layout.rows {
            let offs = layout.rowOffsets(r)
            let xr = x + offs[0]
            let orow = out + offs[1]
            if so == 0 {
                var acc: Float = 0
                for j in 0..<n { acc += xr[j] }
                orow[0] += acc
            } else {
                for j in 0..<n { orow[j] += xr[j] }
            }
        }
    }

    /// Max over the middle axis of x viewed as (outer, n, inner): values and first argmax.
    // x: (outer, n, inner), out/idx: (outer, inner)
    public static func max(
        _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
        out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int>
    ) {
        for o in 0..<outer {
            let base = x + o * n * inner
            for i in 0..<inner {
                var best = base[i]
                var bi = 0
                var k = 1
                while k < n {
                    let v = base[k * inner + i]
                    if v > best || (best.isNaN == false && v.isNaN) { best = v; bi = k }
                    k += 1
                }
                out[o * inner + i] = best
                argmax[o * inner + i] = bi
            }
        }
    }
}
