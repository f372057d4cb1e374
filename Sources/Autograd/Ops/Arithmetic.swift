import Kernels

// add, sub, mul, div with NumPy broadcasting; the backward sums each gradient back to its
// input's shape.

/// The broadcast result shape of `a` and `b`, or a programmer error naming the op.
func broadcastShape(_ a: [Int], _ b: [Int], op: OpKind) -> [Int] {
    let n = max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
        let da = i < n - a.count ? 1 : a[i - (n - a.count)]
        let db = i < n - b.count ? 1 : b[i - (n - b.count)]
        guard da == db || da == 1 || db == 1 else {
            fatalError("\(op): shapes \(a) and \(b) cannot be broadcast together")
        }
        out[i] = da == 1 ? db : da
    }
    return out
}

extension Tensor {
    /// Sums this (broadcast) gradient down to `target` (not recorded).
    func sumTo(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let pad = shape.count - target.count
        checkInvariant(pad >= 0, "sumTo: cannot reduce \(shape) to larger rank \(target)")
        let full = [Int](repeating: 1, count: pad) + target
        let reduce = zip(shape, full).map { s, t in s != t }
        for (s, t) in zip(shape, full) where s != t && t != 1 {
            fatalError("sumTo: cannot reduce \(shape) to \(target)")
        }
        let out = Tensor(uninitialized: target)
        Reduce.sum(ptr, shape: shape, reduce: reduce, out: out.ptr)
        return out
    }

    /// Elementwise binary kernel on broadcast shapes (not recorded).
    static func broadcastBinary(_ kind: BinaryOp, _ a: Tensor, _ b: Tensor, op: OpKind) -> Tensor {
        let shape = broadcastShape(a.shape, b.shape, op: op)
        let out = Tensor(uninitialized: shape)
        if out.count == 0 { return out }
        if a.shape == b.shape {
            Elementwise.binarySameShape(kind, a: a.ptr, b: b.ptr, out: out.ptr, count: out.count)
            return out
        }
        let layout = StridedLayout(outShape: shape, operands: [a.shape, b.shape])
        Elementwise.binary(kind, layout: layout, a: a.ptr, b: b.ptr, out: out.ptr)
        return out
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(.add, a, b, op: .add)
        let (needA, shapeA, needB, shapeB) = (a.requiresGrad, a.shape, b.requiresGrad, b.shape)
        return record(.add, out, inputs: [a, b]) { g in
            [needA ? g.sumTo(shapeA) : nil, needB ? g.sumTo(shapeB) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(.sub, a, b, op: .sub)
        let (needA, shapeA, needB, shapeB) = (a.requiresGrad, a.shape, b.requiresGrad, b.shape)
        return record(.sub, out, inputs: [a, b]) { g in
            [needA ? g.sumTo(shapeA) : nil, needB ? g.sumTo(shapeB).negatedNoGrad() : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(.mul, a, b, op: .mul)
        // Each gradient reads the other input only, so the backward keeps (as views) just the
        // inputs a needed gradient reads: x * constant does not hold x until backward.
        let (shapeA, shapeB) = (a.shape, b.shape)
        let forA = a.requiresGrad ? b.detach() : nil, forB = b.requiresGrad ? a.detach() : nil
        return record(.mul, out, inputs: [a, b]) { g in
            [forA.map { broadcastBinary(.mul, g, $0, op: .mul).sumTo(shapeA) },
             forB.map { broadcastBinary(.mul, g, $0, op: .mul).sumTo(shapeB) }]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(.div, a, b, op: .div)
        // Saved as views, and only what the needed gradients read: b, and the output for b's.
        let (needA, shapeA, shapeB) = (a.requiresGrad, a.shape, b.shape)
        let y: Tensor? = b.requiresGrad ? out.detach() : nil
        let divisor = b.detach()
        return record(.div, out, inputs: [a, b]) { g in
            let ga = needA ? broadcastBinary(.div, g, divisor, op: .div) : nil
            var gb: Tensor? = nil
            if let y {
                // d(a/b)/db = -(a/b)/b = -out/b
                let t = broadcastBinary(.mul, g, y, op: .div)
                gb = broadcastBinary(.div, t, divisor, op: .div).sumTo(shapeB).negatedNoGrad()
            }
            return [ga?.sumTo(shapeA), gb]
        }
    }

    public static func + (a: Tensor, s: Float) -> Tensor { a + Tensor(s) }
    public static func + (s: Float, a: Tensor) -> Tensor { Tensor(s) + a }
    public static func - (a: Tensor, s: Float) -> Tensor { a - Tensor(s) }
    public static func - (s: Float, a: Tensor) -> Tensor { Tensor(s) - a }
    public static func * (a: Tensor, s: Float) -> Tensor { a * Tensor(s) }
    public static func * (s: Float, a: Tensor) -> Tensor { Tensor(s) * a }
    public static func / (a: Tensor, s: Float) -> Tensor { a / Tensor(s) }
    public static func / (s: Float, a: Tensor) -> Tensor { Tensor(s) / a }

    /// -self as a new tensor (not recorded).
    func negatedNoGrad() -> Tensor {
        let out = Tensor(uninitialized: shape)
        Elementwise.unaryForward(.neg, ptr, out.ptr, count: count)
        return out
    }
}
