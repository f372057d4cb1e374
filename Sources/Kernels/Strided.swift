/// Stride bookkeeping shared by the broadcasting kernels: a row-major shape plus, per operand,
/// element strides in which a broadcast dimension has stride 0.
public struct StridedLayout: Equatable, Sendable {
    /// Collapsed output shape (adjacent dimensions merged where every operand allows it).
    public var shape: [Int]
    /// Per operand, strides over `shape` (0 where broadcast).
    public var strides: [[Int]]

    /// Row-major strides of a contiguous tensor of `shape`.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= shape[i]
        }
        return s
    }

    /// Strides of an operand of `shape` broadcast to `outShape` (both row-major, `shape`
    /// right-aligned against `outShape`).
    public static func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
        let own = contiguousStrides(shape)
        let pad = outShape.count - shape.count
        var s = [Int](repeating: 0, count: outShape.count)
        for i in 0..<shape.count where shape[i] != 1 {
            s[i + pad] = own[i]
        }
        return s
    }

    /// Builds the layout for operands of the given shapes broadcast to `outShape`, merging
    /// adjacent dimensions where every operand's strides are contiguous across them.
    public init(outShape: [Int], operands: [[Int]]) {
        var strides = operands.map { StridedLayout.broadcastStrides($0, to: outShape) }
        var shape = outShape
        // Drop size-1 dims (their strides don't matter) but keep at least one dim.
        var keep = shape.indices.filter { shape[$0] != 1 }
        if keep.isEmpty { keep = [] }
        shape = keep.map { shape[$0] }
        strides = strides.map { s in keep.map { s[$0] } }
        if shape.isEmpty {
            self.shape = [1]
            self.strides = strides.map { _ in [0] }
            return
        }
        var mShape = [shape[0]]
        var mStrides = strides.map { [$0[0]] }
        for d in 1..<shape.count {
            let canMerge = strides.indices.allSatisfy { k in
                strides[k][d - 1] == strides[k][d] * shape[d]
            }
            if canMerge {
                mShape[mShape.count - 1] *= shape[d]
                for k in strides.indices { mStrides[k][mStrides[k].count - 1] = strides[k][d] }
            } else {
                mShape.append(shape[d])
                for k in strides.indices { mStrides[k].append(strides[k][d]) }
            }
        }
        self.shape = mShape
        self.strides = mStrides
    }

    /// Number of "rows" (all dims but the last) and the row length.
    public var rows: Int { shape.dropLast().reduce(1, *) }
    public var rowLength: Int { shape.last ?? 1 }

    /// Offsets of the first element of row `r` for every operand.
    @inlinable
    public func rowOffsets(_ r: Int) -> [Int] {
        var rem = r
        var offs = [Int](repeating: 0, count: strides.count)
        var d = shape.count - 2
        while d >= 0 {
            let i = rem % shape[d]
            rem /= shape[d]
            for k in strides.indices { offs[k] += i * strides[k][d] }
            d -= 1
        }
        return offs
    }
}
