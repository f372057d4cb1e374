import Foundation
import Kernels
import Structures

/// mmengine's `DataLoader` for one process: a sampler's order cut into batches, each batch
/// loaded (decode, transforms, pack) by `numWorkers` threads ahead of the consumer. At most
/// `prefetch` batches are loaded or being loaded at a time, so memory stays flat however slow
/// the training step is. Batches come out in order, and each sample's random augmentation is
/// seeded by (seed, epoch, batch, slot): the output is the same whatever the worker count.
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
    public func batchIndices(epoch: Int) -> [[Int]] {
        let order = shard.indices(of: sampler.indices(count: dataset.count, epoch: epoch, seed: seed), roundUp: sampler.roundUp)
        return batchSampler.batches(order, batchSize: batchSize) { i in
            let info = dataset.info(i)
            return info.width < info.height
        }
    }

    /// The generator of one sample: a hash of (seed, epoch, batch, slot).
    public func sampleGenerator(epoch: Int, batch: Int, slot: Int) -> SeededGenerator {
        var h = seed
        for v in [UInt64(epoch), UInt64(batch), UInt64(slot)] {
            h = (h ^ v) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        return SeededGenerator(seed: h)
    }

    /// Loads batch `b` of an epoch: the samples that loaded (bad ones are skipped with a
    /// warning when the dataset's `on_bad_sample` is 'skip', else the first error is thrown).
    public func loadBatch(_ indices: [Int], epoch: Int, batch b: Int) throws -> [PackedSample] {
        var out: [PackedSample] = []
        for (slot, i) in indices.enumerated() {
            var rng = sampleGenerator(epoch: epoch, batch: b, slot: slot)
            do {
                out.append(try dataset.sample(i, rng: &rng))
            } catch let error as DatasetError where dataset.onBadSample == .skip {
                warn("skipping sample \(i) (image id \(dataset.info(i).imgId)): \(error)")
            }
        }
        return out
    }

    /// The batches of `epoch`, loaded ahead by the worker threads.
    public func epoch(_ epoch: Int) -> EpochIterator {
        EpochIterator(loader: self, epoch: epoch, batches: batchIndices(epoch: epoch))
    }
}
