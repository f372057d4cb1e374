import Foundation
import Kernels
import Structures

/// mmengine's `DataLoader` for one process: a sampler's order cut into batches, each batch
/// loaded (decode, transforms, pack) by `numWorkers` threads ahead of the consumer. At most
/// `prefetch` batches are loaded or being loaded at a time, so memory stays flat however slow
/// the training step is. Batches come out in order, and each sample's random draws (its
/// augmentation, and the model's anchor and RoI sampling through `SampleMeta.drawSeed`) are
/// seeded by (seed, epoch, the sample's position in the epoch's whole order): the output is the
/// same whatever the worker count, and whichever process of a job loads the sample in a batch
/// of whatever size.
public final class DataLoader: Sendable {
    public let dataset: any DetectionDataset
    public let batchSize: Int
    public let numWorkers: Int
    public let sampler: any Sampler
    public let batchSampler: BatchSamplerKind
    public let seed: UInt64
    /// Batches in flight (the bounded queue's capacity); at least 1.
    public let prefetch: Int
    /// Where per-sample warnings go when the dataset skips bad samples.
    public let warn: @Sendable (String) -> Void
    /// This process's share of each epoch (the whole of it in a job of one).
    public let shard: Shard

    public init(
        dataset: any DetectionDataset, batchSize: Int, numWorkers: Int = 0, sampler: any Sampler = DefaultSampler(shuffle: false),
        batchSampler: BatchSamplerKind = .plain(dropLast: false), seed: UInt64 = 0, prefetch: Int? = nil,
        shard: Shard = .whole, warn: @escaping @Sendable (String) -> Void = DataLoader.standardError
    ) {
        checkInvariant(batchSize >= 1 && numWorkers >= 0, "DataLoader: batch size \(batchSize), workers \(numWorkers)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.numWorkers = numWorkers
        self.sampler = sampler
        self.batchSampler = batchSampler
        self.seed = seed
        self.prefetch = max(1, prefetch ?? 2 * max(numWorkers, 1))
        self.warn = warn
        self.shard = shard
    }

    /// Warnings printed on standard error.
    public static let standardError: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// The dataset indices of each batch of `epoch` (this process's share of them).
    public func batchIndices(epoch: Int) -> [[Int]] { plan(epoch: epoch).indices }

    /// Each batch of `epoch` as dataset indices and, beside them, each sample's position in
    /// the epoch's order over all processes (process `rank` holds positions rank, rank + world, ...
    /// of the padded order, as `Shard` hands them out).
    public func plan(epoch: Int) -> (indices: [[Int]], positions: [[Int]]) {
        let order = shard.indices(of: sampler.indices(count: dataset.count, epoch: epoch, seed: seed), roundUp: sampler.roundUp)
        let local = batchSampler.batches(Array(order.indices), batchSize: batchSize) { p in
            let info = dataset.info(order[p])
            return info.width < info.height
        }
        return (local.map { $0.map { order[$0] } }, local.map { $0.map { shard.rank + shard.world * $0 } })
    }

    /// The generator of the sample at `position` of `epoch`'s order (a hash of the seed, the
    /// epoch and the position; `stream` 0 is the augmentation's, 1 the model's draws).
    public func sampleGenerator(epoch: Int, position: Int, stream: UInt64 = 0) -> SeededGenerator {
        SeededGenerator(seed: sampleSeed(epoch: epoch, position: position, stream: stream))
    }

    func sampleSeed(epoch: Int, position: Int, stream: UInt64) -> UInt64 {
        var h = seed
        for v in [UInt64(epoch), UInt64(position), stream] {
            h = (h ^ v) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        return h
    }

    /// Loads one batch of an epoch (`indices` and their `positions`, from `plan`): the samples
    /// that loaded (bad ones are skipped with a warning when the dataset's `on_bad_sample` is
    /// 'skip', else the first error is thrown), each with its `drawSeed` for the model and its `position`.
    public func loadBatch(_ indices: [Int], positions: [Int], epoch: Int) throws -> [PackedSample] {
        var out: [PackedSample] = []
        for (i, position) in zip(indices, positions) {
            var rng = sampleGenerator(epoch: epoch, position: position)
            do {
                var packed = try dataset.sample(i, rng: &rng)
                packed.sample.meta.drawSeed = sampleSeed(epoch: epoch, position: position, stream: 1)
                packed.sample.meta.position = position
                out.append(packed)
            } catch let error as DatasetError where dataset.onBadSample == .skip {
                warn("skipping sample \(i) (image id \(dataset.info(i).imgId)): \(error)")
            }
        }
        return out
    }

    /// The batches of `epoch`, loaded ahead by the worker threads.
    public func epoch(_ epoch: Int) -> EpochIterator {
        let plan = plan(epoch: epoch)
        return EpochIterator(loader: self, epoch: epoch, batches: plan.indices, positions: plan.positions)
    }
}
