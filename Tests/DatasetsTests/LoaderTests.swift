import Datasets
import Foundation
import Structures
import Testing

/// Samplers, batching and the threaded loader: the same batches for a seed whatever the
/// number of workers, and a bounded number of batches in flight.
@Suite struct LoaderTests {
    @Test func defaultSamplerShufflesPerEpochDeterministically() {
        let s = DefaultSampler(shuffle: true)
        let a = s.indices(count: 50, epoch: 0, seed: 7), b = s.indices(count: 50, epoch: 0, seed: 7)
        #expect(a == b && a.sorted() == Array(0..<50) && a != Array(0..<50))
        #expect(s.indices(count: 50, epoch: 1, seed: 7) != a)
        #expect(DefaultSampler(shuffle: true, seed: 3).indices(count: 50, epoch: 0, seed: 99)
                == DefaultSampler(shuffle: true).indices(count: 50, epoch: 0, seed: 3))
        #expect(DefaultSampler(shuffle: false).indices(count: 5, epoch: 4, seed: 1) == [0, 1, 2, 3, 4])
    }

    /// mmengine's DefaultSampler shares, worked by hand: 7 items over 2 processes pad to 8 by
    /// repeating item 0 (round_up), each takes every second item; over 3 they pad to 9; without
    /// round_up the last share is shorter. The shares of a shuffled order cover it.
    @Test func shardsAreMmenginesStridedShares() {
        let order = Array(0..<7)
        #expect(Shard(rank: 0, world: 2).indices(of: order, roundUp: true) == [0, 2, 4, 6])
        #expect(Shard(rank: 1, world: 2).indices(of: order, roundUp: true) == [1, 3, 5, 0])
        #expect(Shard(rank: 1, world: 2).indices(of: order, roundUp: false) == [1, 3, 5])
        #expect((0..<3).map { Shard(rank: $0, world: 3).indices(of: order, roundUp: true) } == [[0, 3, 6], [1, 4, 0], [2, 5, 1]])
        #expect(Shard(rank: 3, world: 4).indices(of: [9, 8], roundUp: true) == [8])  // padded 9 8 9 8
        #expect(Shard.whole.indices(of: order, roundUp: true) == order)
        #expect(Shard(rank: 1, world: 2).indices(of: [], roundUp: true) == [])
        let shuffled = DefaultSampler(shuffle: true).indices(count: 11, epoch: 2, seed: 5)
        let shares = (0..<4).map { Shard(rank: $0, world: 4).indices(of: shuffled, roundUp: true) }
        #expect(shares.allSatisfy { $0.count == 3 } && Set(shares.flatMap { $0 }) == Set(0..<11))
        #expect(DefaultSampler().roundUp && !DefaultSampler(roundUp: false).roundUp)
    }

    @Test func aspectRatioBatchSamplerBucketsPortraitAndLandscape() {
        // Items 0, 2, 5 are portrait (w < h).
        let portrait: Set<Int> = [0, 2, 5]
        let kind = BatchSamplerKind.aspectRatio(dropLast: false)
        let batches = kind.batches([0, 1, 2, 3, 4, 5, 6], batchSize: 2) { portrait.contains($0) }
        #expect(batches == [[0, 2], [1, 3], [4, 6], [5]])
        let dropped = BatchSamplerKind.aspectRatio(dropLast: true).batches([0, 1, 2, 3, 5], batchSize: 2) { portrait.contains($0) }
        #expect(dropped == [[0, 2], [1, 3]])
        #expect(BatchSamplerKind.plain(dropLast: false).batches([3, 1, 2], batchSize: 2) { _ in true } == [[3, 1], [2]])
    }

    /// (image ids, flip flags, image hashes) of every batch of an epoch.
    static func epochDigest(workers: Int, seed: UInt64, epoch: Int = 0) throws -> [[String]] {
        let ds = try Build.fruits("train", pipeline: Build.trainPipeline(scale: (200, 150), flip: 0.5))
        let loader = DataLoader(dataset: ds, batchSize: 2, numWorkers: workers, sampler: DefaultSampler(shuffle: true),
                                batchSampler: .aspectRatio(dropLast: false), seed: seed)
        let it = loader.epoch(epoch)
        var out: [[String]] = []
        while let batch = try it.next() {
            out.append(batch.map { "\($0.sample.meta.imgId!) \($0.sample.meta.flip!) \(fnv1a($0.image.pixels))" })
        }
        return out
    }

    @Test func sameBatchesWhateverTheWorkerCount() throws {
        let reference = try Self.epochDigest(workers: 0, seed: 11)
        #expect(reference.count == 7 && reference.joined().count == 14)
        let flips = reference.joined().filter { $0.contains("true") }.count
        #expect(flips > 0 && flips < 14)
        for workers in [1, 2, 3] { #expect(try Self.epochDigest(workers: workers, seed: 11) == reference, "\(workers) workers") }
        #expect(try Self.epochDigest(workers: 2, seed: 12) != reference)
        #expect(try Self.epochDigest(workers: 2, seed: 11, epoch: 1) != reference)
    }

    @Test func workersStayWithinThePrefetchBound() throws {
        let ds = try Build.fruits("train", pipeline: Build.trainPipeline(scale: (100, 75), flip: 0, masks: false))
        let loader = DataLoader(dataset: ds, batchSize: 1, numWorkers: 3, seed: 1, prefetch: 2)
        let it = loader.epoch(0)
        var n = 0
        while try it.next() != nil {
            n += 1
            Thread.sleep(forTimeInterval: 0.01)  // a slow training step
        }
        #expect(n == 14)
        #expect(it.maxInFlight <= 2 && it.maxInFlight >= 1)
    }

    @Test func releasingAnIteratorEarlyStopsItsWorkers() throws {
        let ds = try Build.fruits("train", pipeline: Build.trainPipeline(scale: (100, 75), flip: 0, masks: false))
        let loader = DataLoader(dataset: ds, batchSize: 1, numWorkers: 2, seed: 1)
        do {
            let it = loader.epoch(0)
            _ = try it.next()
        }
        // Nothing to observe but that this returns and a new epoch works.
        #expect(try loader.epoch(1).next()?.count == 1)
    }
}
