import Kernels

// reshape, permute/transpose, concat, stack, slice.

extension Tensor {
    /// Same elements, new shape (one entry may be -1). Shares storage.
    public func reshape(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            guard known > 0, count % known == 0 else { fatalError("reshape: cannot reshape \(shape) to \(newShape)") }
            s[i] = count / known
        }
        guard s.reduce(1, *) == count, s.allSatisfy({ $0 >= 0 }) else {
            fatalError("reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        }
        let out = Tensor(shape: s, storage: storage)
        let inShape = shape
        return Tensor.record(.reshape, out, inputs: [self]) { g in
            [Tensor(shape: inShape, storage: g.storage)]
        }
    }

    /// Axes reordered: output axis i is input axis perm[i]. Copies into contiguous storage.
    public func permute(_ perm: [Int]) -> Tensor {
        guard perm.count == rank, Set(perm) == Set(0..<rank) else {
            fatalError("permute: \(perm) is not a permutation of the axes of \(shape)")
        }
        let out = Tensor(uninitialized: perm.map { shape[$0] })
        Permute.copy(ptr, shape: shape, perm: perm, out: out.ptr)
        var inverse = perm
        for (i, p) in perm.enumerated() { inverse[p] = i }
        let inShape = shape
        return Tensor.record(.permute, out, inputs: [self]) { g in
            let gx = Tensor(uninitialized: inShape)
            Permute.copy(g.ptr, shape: g.shape, perm: inverse, out: gx.ptr)
            return [gx]
        }
    }

    /// Swaps two axes (a permute).
    public func transpose(_ a: Int, _ b: Int) -> Tensor {
        let ax = normalizedAxes([a, b], rank: rank, op: .permute)
        var perm = Array(0..<rank)
        perm.swapAt(ax[0], ax[1])
        return permute(perm)
    }

    /// Concatenation along `axis`; all other sizes must match.
    public static func concat(_ xs: [Tensor], axis: Int) -> Tensor {
        concatenate(xs, axis: axis, op: .concat, stacking: false)
    }

    /// Stacks equal-shaped tensors along a new `axis`.
    public static func stack(_ xs: [Tensor], axis: Int = 0) -> Tensor {
        concatenate(xs, axis: axis, op: .stack, stacking: true)
    }

    private static func concatenate(_ xs: [Tensor], axis: Int, op: OpKind, stacking: Bool) -> Tensor {
        guard let first = xs.first else { fatalError("\(op): no tensors given") }
        let rank = first.rank + (stacking ? 1 : 0)
        let a = normalizedAxes([axis], rank: rank, op: op)[0]
        // View each input with the stacking axis inserted.
        let shapes = xs.map { x -> [Int] in
            var s = x.shape
            if stacking { s.insert(1, at: a) }
            return s
        }
        for s in shapes where s.count != rank || (0..<rank).contains(where: { $0 != a && s[$0] != shapes[0][$0] }) {
            fatalError("\(op): shapes \(xs.map(\.shape)) differ outside axis \(axis)")
        }
        var outShape = shapes[0]
        outShape[a] = shapes.reduce(0) { $0 + $1[a] }
        let out = Tensor(uninitialized: outShape)
        let outer = outShape[..<a].reduce(1, *)
        let inner = outShape[(a + 1)...].reduce(1, *)
        let pitch = outShape[a] * inner
        var offsets: [Int] = []
        var off = 0
        for (x, s) in zip(xs, shapes) {
            offsets.append(off)
            Permute.blocks(x.ptr, xPitch: s[a] * inner, out.ptr + off, outPitch: pitch, outer: outer, block: s[a] * inner)
            off += s[a] * inner
        }
        let needed = xs.map { ($0.requiresGrad, $0.shape) }
        return record(op, out, inputs: xs) { g in
            zip(needed, zip(shapes, offsets)).map { x, so -> Tensor? in
                guard x.0 else { return nil }
                let gx = Tensor(uninitialized: x.1)
                Permute.blocks(g.ptr + so.1, xPitch: pitch, gx.ptr, outPitch: so.0[a] * inner, outer: outer, block: so.0[a] * inner)
                return gx
            }
        }
    }

    /// Elements start..<end (step `step`) along `axis`, as x[..., start:end:step, ...].
    public func slice(axis: Int, start: Int, end: Int, step: Int = 1) -> Tensor {
        let a = normalizedAxes([axis], rank: rank, op: .slice)[0]
        let len = shape[a]
        let lo = Swift.min(Swift.max(start < 0 ? start + len : start, 0), len)
        let hi = Swift.min(Swift.max(end < 0 ? end + len : end, lo), len)
        guard step >= 1 else { fatalError("slice: step must be >= 1, got \(step)") }
        let n = (hi - lo + step - 1) / step
        var outShape = shape
        outShape[a] = n
        let (outer, _, inner) = splitShape(at: a)
        let out = Tensor(uninitialized: outShape)
        for k in 0..<n {
            Permute.blocks(ptr + (lo + k * step) * inner, xPitch: len * inner, out.ptr + k * inner,
                           outPitch: n * inner, outer: outer, block: inner)
        }
        let inShape = shape
        return Tensor.record(.slice, out, inputs: [self]) { g in
            let gx = Tensor.zeros(inShape)
            for k in 0..<n {
                Permute.blocks(g.ptr + k * inner, xPitch: n * inner, gx.ptr + (lo + k * step) * inner,
                               outPitch: len * inner, outer: outer, block: inner)
            }
            return [gx]
        }
    }
}
