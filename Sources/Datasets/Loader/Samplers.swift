import Config
import Kernels

/// The order of the dataset indices in one epoch (mmengine's samplers).
public protocol Sampler: Sendable {
    /// The indices of `epoch` for a dataset of `count` items; `seed` is the run's seed, used
    /// when the sampler has none of its own. The same on every process of a job.
    func indices(count: Int, epoch: Int, seed: UInt64) -> [Int]
    /// Whether a process's share is padded to the same length as the others' (`round_up`).
    var roundUp: Bool { get }
}

extension Sampler {
    public var roundUp: Bool { true }
}

/// One process's share of an epoch's order in a job of `world` processes, as mmengine's
/// `DefaultSampler` takes it: with `roundUp` the order is repeated from its start up to
/// ceil(count / world) * world items, then process `rank` takes every `world`-th item from
/// position `rank` (`indices[rank::world]`), so every process has as many samples and the
/// shares together cover the order.
public struct Shard: Sendable, Equatable {
    public let rank: Int
    public let world: Int

    public init(rank: Int, world: Int) {
        checkInvariant(world >= 1 && (0..<world).contains(rank), "Shard: rank \(rank) of \(world)")
        self.rank = rank
        self.world = world
    }

    /// The whole order: a job of one process.
    public static let whole = Shard(rank: 0, world: 1)

    /// This process's items of `order`.
    public func indices(of order: [Int], roundUp: Bool) -> [Int] {
        guard world > 1 else { return order }
        var padded = order
        if roundUp && !order.isEmpty {
            let total = (order.count + world - 1) / world * world
            while padded.count < total { padded += order.prefix(total - padded.count) }
        }
        return stride(from: rank, to: padded.count, by: world).map { padded[$0] }
    }
}

/// mmengine's `DefaultSampler`: `0..<count`, shuffled per epoch with the seed `seed + epoch`
/// when `shuffle` (our own generator, so not torch's permutation); a process of a job takes its
/// `Shard` of that order (`round_up`, default True, pads the shares to one length).
public struct DefaultSampler: Sampler {
    public let shuffle: Bool
    public let seed: UInt64?
    public let roundUp: Bool

    public init(shuffle: Bool = true, seed: UInt64? = nil, roundUp: Bool = true) {
        self.shuffle = shuffle
        self.seed = seed
        self.roundUp = roundUp
    }

    public init(config c: ConfigView) throws {
        try c.accept(["shuffle", "seed", "round_up"])
        let seed = try c.optionalInt("seed")
        if let seed, seed < 0 { throw c.error("seed", "must be >= 0") }
        self.init(shuffle: try c.bool("shuffle", default: true), seed: seed.map { UInt64($0) },
                  roundUp: try c.bool("round_up", default: true))
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
