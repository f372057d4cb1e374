/// Segmentations of many entries in a few growing arrays: polygon numbers (with the end of
/// each part) and RLE counts. Readers of large files stage segmentations here while json-c
/// values are alive and make the per-entry arrays afterwards: interleaving json-c's many
/// short-lived allocations with long-lived small arrays fragments malloc's heap badly.
public struct SegmentationStore: Sendable {
    public var coordinates: [Double] = []
    /// End of each polygon part in `coordinates` (a part starts where the previous one ends).
    public var partEnds: [Int] = []
    public var counts: [UInt32] = []

    public init() {}

    /// The polygon parts in `range` as arrays.
    public func parts(_ range: Range<Int>) -> [[Double]] {
        range.map { p in Array(coordinates[(p == 0 ? 0 : partEnds[p - 1])..<partEnds[p]]) }
    }

    /// The segmentation a staged one stands for.
    public func segmentation(_ staged: StagedSegmentation) -> CocoSegmentation? {
        switch staged {
        case .none: return nil
        case .polygons(let range): return .polygons(parts(range))
        case .rle(let height, let width, let range):
            return .rle(RLE(height: height, width: width, counts: Array(counts[range])))
        }
    }

    /// Calls `body` with the staged counts `range` (no copy).
    public func withCounts<T>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt32>) throws -> T) rethrows -> T {
        try counts.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[range]))
        }
    }

    /// Decodes a compressed counts string onto the end of `counts`.
    public mutating func appendCompressed(_ s: UnsafeBufferPointer<UInt8>) throws {
        let first = counts.count
        counts.append(contentsOf: repeatElement(0, count: s.count))
        do {
            let n = try counts.withUnsafeMutableBufferPointer { try RLE.decodeCompressed(s, into: $0.baseAddress! + first) }
            counts.removeLast(s.count - n)
        } catch {
            counts.removeLast(s.count)
            throw error
        }
    }
}

/// A segmentation as `JSONEntry.segmentation(into:)` staged it in a `SegmentationStore`.
public enum StagedSegmentation: Hashable, Sendable {
    case none
    /// Polygon parts `range` of the store.
    case polygons(Range<Int>)
    /// RLE of its own size whose counts are `counts` of the store.
    case rle(height: Int, width: Int, counts: Range<Int>)
}
