import Foundation

/// Elementwise binary arithmetic with NumPy broadcasting.
public enum BinaryOp: Sendable {
    case add, sub, mul, div
}

/// Elementwise kernels: binary ops with broadcasting, unary maps, and their backward pieces.
public enum Elementwise {
    // MARK: Binary with broadcasting

    /// out[i] = a[ia] op b[ib] over `layout` (operand 0 = a, operand 1 = b); out contiguous.
    public static func binary(
        _ op: BinaryOp, layout: StridedLayout,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        let n = layout.rowLength
        let sa = layout.strides[0].last!
        let sb = layout.strides[1].last!
        Parallel.forRange(layout.rows, cost: n) { rows in
            for r in rows {
                let offs = layout.rowOffsets(r)
                binaryRow(op, n, a + offs[0], sa, b + offs[1], sb, out + r * n)
            }
        }
    }

    @inline(__always)
    static func binaryRow(
        _ op: BinaryOp, _ n: Int,
        _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
        _ o: UnsafeMutablePointer<Float>
    ) {
        switch (op, sa, sb) {
        case (.add, 1, 1): for j in 0..<n { o[j] = a[j] + b[j] }
        case (.add, 1, 0): let v = b[0]; for j in 0..<n { o[j] = a[j] + v }
        case (.add, 0, 1): let v = a[0]; for j in 0..<n { o[j] = v + b[j] }
        case (.sub, 1, 1): for j in 0..<n { o[j] = a[j] - b[j] }
        case (.sub, 1, 0): let v = b[0]; for j in 0..<n { o[j] = a[j] - v }
        case (.sub, 0, 1): let v = a[0]; for j in 0..<n { o[j] = v - b[j] }
        case (.mul, 1, 1): for j in 0..<n { o[j] = a[j] * b[j] }
        case (.mul, 1, 0): let v = b[0]; for j in 0..<n { o[j] = a[j] * v }
        case (.mul, 0, 1): let v = a[0]; for j in 0..<n { o[j] = v * b[j] }
        case (.div, 1, 1): for j in 0..<n { o[j] = a[j] / b[j] }
        case (.div, 1, 0): let v = b[0]; for j in 0..<n { o[j] = a[j] / v }
        case (.div, 0, 1): let v = a[0]; for j in 0..<n { o[j] = v / b[j] }
        default:
            for j in 0..<n {
                let x = a[j * sa], y = b[j * sb]
                switch op {
                case .add: o[j] = x + y
                case .sub: o[j] = x - y
                case .mul: o[j] = x * y
                case .div: o[j] = x / y
                }
            }
        }
    }

    /// out[i] = a[i] op b[i] for equal shapes, split across cores.
    public static func binarySameShape(
        _ op: BinaryOp, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, count: Int
    ) {
        Parallel.forRange(count) { r in
            let lo = r.lowerBound
            binaryRow(op, r.count, a + lo, 1, b + lo, 1, out + lo)
        }
    }

    // MARK: Accumulation

    /// y[i] += x[i].
    public static func accumulate(
        _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int
    ) {
        Parallel.forRange(count) { r in
            let lo = r.lowerBound
            let x = x + lo, y = y + lo
            for i in 0..<r.count { y[i] += x[i] }
        }
    }

    /// Numerically stable logistic function.
    @inline(__always)
    public static func sigmoid(_ v: Float) -> Float {
        if v >= 0 { return 1 / (1 + Foundation.exp(-v)) }
        let e = Foundation.exp(v)
        return e / (1 + e)
    }
}
