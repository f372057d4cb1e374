import Config
import Kernels

/// The order of the dataset indices in one epoch (mmengine's samplers).
public protocol Sampler: Sendable {
    /// The indices of `epoch` for a dataset of `count` items; `seed` is the run's seed, used
    /// when the sampler has none of its own.
    func indices(count: Int, epoch: Int, seed: UInt64) -> [Int]
}

/// mmengine's `DefaultSampler` on one process: `0..<count`, shuffled per epoch with the seed
/// `seed + epoch` when `shuffle` (our own generator, so not torch's permutation).
public struct DefaultSampler: Sampler {
    public let shuffle: Bool
    public let seed: UInt64?

    public init(shuffle: Bool = true, seed: UInt64? = nil) {
        self.shuffle = shuffle
        self.seed = seed
    }

    public init(config c: ConfigView) throws {
        try c.accept(["shuffle", "seed", "round_up"])
        let seed = try c.optionalInt("seed")
        if let seed, seed < 0 { throw c.error("seed", "must be >= 0") }
        self.init(shuffle: try c.bool("shuffle", default: true), seed: seed.map { UInt64($0) })
    }

    public func indices(count: Int, epoch: Int, seed runSeed: UInt64) -> [Int] {
        var order = Array(0..<count)
        guard shuffle else { return order }
        var rng = SeededGenerator(seed: (seed ?? runSeed) &+ UInt64(epoch))
        order.shuffle(using: &rng)
        return order
    }
}

/// How a sampler's order is cut into batches.
public enum BatchSamplerKind: Sendable, Equatable {
    /// Consecutive indices (torch's default batch sampler).
    case plain(dropLast: Bool)
    /// mmdetection's `AspectRatioBatchSampler`: two buckets (w < h and w >= h) filled in
    /// sampler order, a batch emitted whenever a bucket is full; the leftovers (bucket 0 then
    /// bucket 1) are batched at the end, the last short batch kept unless `dropLast`.
    case aspectRatio(dropLast: Bool)

    init(aspectRatioConfig c: ConfigView) throws {
        try c.accept(["drop_last"])
        self = .aspectRatio(dropLast: try c.bool("drop_last", default: false))
    }

    /// The batches of one epoch. `isPortrait(i)` is `width < height` of dataset item `i`.
    public func batches(_ order: [Int], batchSize: Int, isPortrait: (Int) -> Bool) -> [[Int]] {
        checkInvariant(batchSize >= 1, "batch size \(batchSize)")
        switch self {
        case .plain(let dropLast):
            return Self.chunks(order, batchSize, dropLast: dropLast)
        case .aspectRatio(let dropLast):
            var buckets: [[Int]] = [[], []]
            var out: [[Int]] = []
            for i in order {
                let b = isPortrait(i) ? 0 : 1
                buckets[b].append(i)
                if buckets[b].count == batchSize {
                    out.append(buckets[b])
                    buckets[b].removeAll()
                }
            }
            return out + Self.chunks(buckets[0] + buckets[1], batchSize, dropLast: dropLast)
        }
    }

    static func chunks(_ items: [Int], _ size: Int, dropLast: Bool) -> [[Int]] {
        stride(from: 0, to: items.count, by: size).compactMap { start in
            let chunk = Array(items[start..<min(start + size, items.count)])
            return dropLast && chunk.count < size ? nil : chunk
        }
    }
}
