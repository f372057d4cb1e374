import Kernels

// index_select, gather, scatter_add along an axis; where and masked_fill.

extension Tensor {
    /// Slices `indices` of `axis` (as torch.index_select).
    public func indexSelect(axis: Int, _ indices: [Int]) -> Tensor {
        let a = normalizedAxes([axis], rank: rank, op: .indexSelect)[0]
        let (outer, n, inner) = splitShape(at: a)
        for i in indices where i < 0 || i >= n {
            fatalError("indexSelect: index \(i) out of range for axis \(axis) of shape \(shape)")
        }
        var outShape = shape
        outShape[a] = indices.count
        let out = Tensor(uninitialized: outShape)
        Gather.indexSelect(ptr, outer: outer, n: n, inner: inner, idx: indices, out: out.ptr)
        let inShape = shape
        return Tensor.record(.indexSelect, out, inputs: [self]) { g in
            let gx = Tensor.zeros(inShape)
            Gather.indexAdd(g.ptr, outer: outer, n: n, inner: inner, idx: indices, into: gx.ptr)
            return [gx]
        }
    }

    /// out[..., j, ...] = x[..., index[..., j, ...], ...] along `axis` (as torch.gather).
    /// `index` has the rank of x and, off `axis`, the same sizes.
    public func gather(axis: Int, _ index: IndexTensor) -> Tensor {
        let a = normalizedAxes([axis], rank: rank, op: .gather)[0]
        checkIndex(index, axis: a, op: .gather)
        let (outer, n, inner) = splitShape(at: a)
        let m = index.shape[a]
        let out = Tensor(uninitialized: index.shape)
        index.values.withUnsafeBufferPointer { ib in
            Gather.gather(ptr, n: n, idx: ib.baseAddress!, outer: outer, m: m, inner: inner, out: out.ptr)
        }
        let inShape = shape
        return Tensor.record(.gather, out, inputs: [self]) { g in
            let gx = Tensor.zeros(inShape)
            index.values.withUnsafeBufferPointer { ib in
                Gather.scatterAdd(g.ptr, idx: ib.baseAddress!, outer: outer, m: m, inner: inner, into: gx.ptr, n: n)
            }
            return [gx]
        }
    }

    /// A copy of self with `src` added at `index` along `axis` (as torch.scatter_add);
    /// the adjoint of gather. `index` and `src` share a shape.
    public func scatterAdd(axis: Int, _ index: IndexTensor, _ src: Tensor) -> Tensor {
        let a = normalizedAxes([axis], rank: rank, op: .scatterAdd)[0]
        checkIndex(index, axis: a, op: .scatterAdd)
        guard src.shape == index.shape else {
            fatalError("scatterAdd: src shape \(src.shape) != index shape \(index.shape)")
        }
        let (outer, n, inner) = splitShape(at: a)
        let m = index.shape[a]
        let out = copy()
        index.values.withUnsafeBufferPointer { ib in
            Gather.scatterAdd(src.ptr, idx: ib.baseAddress!, outer: outer, m: m, inner: inner, into: out.ptr, n: n)
        }
        let (needSelf, needSrc) = (requiresGrad, src.requiresGrad)
        return Tensor.record(.scatterAdd, out, inputs: [self, src]) { g in
            var gs: Tensor? = nil
            if needSrc {
                let t = Tensor(uninitialized: index.shape)
                index.values.withUnsafeBufferPointer { ib in
                    Gather.gather(g.ptr, n: n, idx: ib.baseAddress!, outer: outer, m: m, inner: inner, out: t.ptr)
                }
                gs = t
            }
            return [needSelf ? g.copy() : nil, gs]
        }
    }

    private func checkIndex(_ index: IndexTensor, axis a: Int, op: OpKind) {
        guard index.shape.count == rank,
            (0..<rank).allSatisfy({ $0 == a || index.shape[$0] == shape[$0] })
        else { fatalError("\(op): index shape \(index.shape) does not fit input \(shape) on axis \(a)") }
        for v in index.values where v < 0 || v >= shape[a] {
            fatalError("\(op): index \(v) out of range for axis \(a) of shape \(shape)")
        }
    }

    /// Elementwise choice: a where `condition`, else b (all of one shape).
    public static func `where`(_ condition: [Bool], _ a: Tensor, _ b: Tensor) -> Tensor {
        guard a.shape == b.shape, condition.count == a.count else {
            fatalError("where: condition of \(condition.count), a \(a.shape), b \(b.shape) must match")
        }
        let out = Tensor(uninitialized: a.shape)
        for i in 0..<a.count { out.ptr[i] = condition[i] ? a.ptr[i] : b.ptr[i] }
        let (needA, needB, shapeA) = (a.requiresGrad, b.requiresGrad, a.shape)
        return record(.where, out, inputs: [a, b]) { g in
            func pick(_ keep: Bool) -> Tensor {
                let t = Tensor(uninitialized: shapeA)
                for i in 0..<t.count { t.ptr[i] = condition[i] == keep ? g.ptr[i] : 0 }
                return t
            }
            return [needA ? pick(true) : nil, needB ? pick(false) : nil]
        }
    }

    /// A copy with `value` wherever `mask` is true (as torch.masked_fill).
    public func maskedFill(_ mask: [Bool], _ value: Float) -> Tensor {
        guard mask.count == count else {
            fatalError("maskedFill: mask of \(mask.count) elements for tensor \(shape)")
        }
        let out = Tensor(uninitialized: shape)
        for i in 0..<count { out.ptr[i] = mask[i] ? value : ptr[i] }
        let inShape = shape
        return Tensor.record(.maskedFill, out, inputs: [self]) { g in
            let t = Tensor(uninitialized: inShape)
            for i in 0..<t.count { t.ptr[i] = mask[i] ? 0 : g.ptr[i] }
            return [t]
        }
    }
}
