import Kernels

// sum and mean over axes (keepdim), max/argmax over one axis.

/// Normalises possibly negative axes against `rank`, or stops naming the op.
func normalizedAxes(_ axes: [Int], rank: Int, op: OpKind) -> [Int] {
    let r = max(rank, 1)
    let out = axes.map { $0 < 0 ? $0 + r : $0 }
    for (a, o) in zip(axes, out) where o < 0 || o >= r {
        fatalError("\(op): axis \(a) out of range for rank \(rank)")
    }
    guard Set(out).count == out.count else { fatalError("\(op): repeated axis in \(axes)") }
    return out.sorted()
}

extension Tensor {
    /// Sum over `axes` (all axes when nil), keeping them as size 1 when `keepDim`.
    public func sum(axes: [Int]? = nil, keepDim: Bool = false) -> Tensor {
        let ax = normalizedAxes(axes ?? Array(0..<rank), rank: rank, op: .sum)
        let out = reduceSum(ax, keepDim: keepDim)
        let inShape = shape
        return Tensor.record(.sum, out, inputs: [self]) { g in
            [g.expandReduced(from: inShape, axes: ax)]
        }
    }

    /// Mean over `axes` (all axes when nil).
    public func mean(axes: [Int]? = nil, keepDim: Bool = false) -> Tensor {
        let ax = normalizedAxes(axes ?? Array(0..<rank), rank: rank, op: .mean)
        let n = ax.reduce(1) { $0 * (rank == 0 ? 1 : shape[$1]) }
        let out = reduceSum(ax, keepDim: keepDim)
        let inv = 1 / Float(n)
        out.update { b in for i in b.indices { b[i] *= inv } }
        let inShape = shape
        return Tensor.record(.mean, out, inputs: [self]) { g in
            let gx = g.expandReduced(from: inShape, axes: ax)
            gx.update { b in for i in b.indices { b[i] *= inv } }
            return [gx]
        }
    }

    /// Maximum over `axis` and the index of the first maximum (as torch.max(dim)).
    /// The gradient goes to the arg-max element.
    public func max(axis: Int, keepDim: Bool = false) -> (values: Tensor, indices: IndexTensor) {
        let a = normalizedAxes([axis], rank: rank, op: .max)[0]
        let (outer, n, inner) = splitShape(at: a)
        checkInvariant(n > 0, "max: axis \(axis) of shape \(shape) is empty")
        var kept = shape
        if keepDim { kept[a] = 1 } else { kept.remove(at: a) }
        let out = Tensor(uninitialized: kept)
        var idx = [Int](repeating: 0, count: outer * inner)
        idx.withUnsafeMutableBufferPointer { ib in
            Reduce.max(ptr, outer: outer, n: n, inner: inner, out: out.ptr, argmax: ib.baseAddress!)
        }
        let inShape = shape
        let result = Tensor.record(.max, out, inputs: [self]) { g in
            let gx = Tensor.zeros(inShape)
            for o in 0..<outer {
                for i in 0..<inner {
                    gx.ptr[(o * n + idx[o * inner + i]) * inner + i] = g.ptr[o * inner + i]
                }
            }
            return [gx]
        }
        return (result, IndexTensor(shape: kept, idx))
    }

    /// (outer, n, inner) sizes around axis `a`.
    func splitShape(at a: Int) -> (Int, Int, Int) {
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        return (outer, shape[a], inner)
    }

    /// Plain (unrecorded) sum over sorted axes.
    private func reduceSum(_ axes: [Int], keepDim: Bool) -> Tensor {
        let reduce = (0..<rank).map { axes.contains($0) }
        var outShape = zip(shape, reduce).map { $1 ? 1 : $0 }
        if !keepDim { outShape = zip(shape, reduce).filter { !$0.1 }.map { $0.0 } }
        let out = Tensor(uninitialized: outShape)
        if rank == 0 { out.ptr[0] = ptr[0]; return out }
        Reduce.sum(ptr, shape: shape, reduce: reduce, out: out.ptr)
        return out
    }

    /// Broadcasts a reduced gradient back to `full` (reduced axes re-inserted as size 1).
    func expandReduced(from full: [Int], axes: [Int]) -> Tensor {
        var kept = full
        for a in axes where a < kept.count { kept[a] = 1 }
        let g = Tensor(shape: kept, storage: storage)
        return Tensor.broadcastBinary(.add, Tensor.zeros(full), g, op: .sum)
    }
}
