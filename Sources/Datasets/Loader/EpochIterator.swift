import Foundation

/// One pass over a `DataLoader`'s batches. `next()` returns batches in order (nil at the end)
/// or throws the error of the batch that failed. Worker threads stop when the iterator is
/// exhausted, fails, or is released.
public final class EpochIterator {
    public let batches: [[Int]]
    /// Each sample's position in the epoch's order over all processes (`DataLoader.plan`).
    public let positions: [[Int]]
    private let loader: DataLoader
    private let epoch: Int
    private let state: LoadState
    private var delivered = 0
    /// Whether a batch whose samples were all skipped comes out empty instead of being passed
    /// over (the processes of a data-parallel job must take the same number of steps).
    public var deliversEmptyBatches = false

    init(loader: DataLoader, epoch: Int, batches: [[Int]], positions: [[Int]]) {
        self.loader = loader
        self.epoch = epoch
        self.batches = batches
        self.positions = positions
        state = LoadState(total: batches.count, capacity: loader.prefetch)
        for _ in 0..<min(loader.numWorkers, batches.count) {
            let state = self.state, loader = self.loader
            let thread = Thread { state.work(loader: loader, epoch: epoch, batches: batches, positions: positions) }
            thread.name = "swiftdet-data"
            thread.start()
        }
    }

    deinit { state.cancel() }

    /// The number of batches of this epoch (bad samples can make some shorter, never fewer).
    public var count: Int { batches.count }

    /// The most batches that were loaded or being loaded ahead of the consumer at once (never
    /// more than the loader's `prefetch`).
    public var maxInFlight: Int { state.maxInFlight }

    /// The next batch, skipping batches whose samples were all skipped (unless
    /// `deliversEmptyBatches`); nil at the end.
    public func next() throws -> [PackedSample]? {
        while delivered < batches.count {
            let b = delivered
            delivered += 1
            let result: Result<[PackedSample], Error>
            if loader.numWorkers == 0 {
                result = Result { try loader.loadBatch(batches[b], positions: positions[b], epoch: epoch) }
            } else {
                result = state.take(b)
            }
            switch result {
            case .success(let samples) where samples.isEmpty && !deliversEmptyBatches: continue
            case .success(let samples): return samples
            case .failure(let error):
                delivered = batches.count
                state.cancel()
                throw error
            }
        }
        return nil
    }
}

/// The shared state of the workers: which batch to claim next, which were delivered, and the
/// finished batches waiting for the consumer. One condition variable guards it all.
final class LoadState: @unchecked Sendable {
    private let condition = NSCondition()
    private let total: Int
    private let capacity: Int
    private var nextToClaim = 0
    private var nextToDeliver = 0
    private var ready: [Int: Result<[PackedSample], Error>] = [:]
    private var cancelled = false
    private var highWater = 0

    var maxInFlight: Int {
        condition.lock()
        defer { condition.unlock() }
        return highWater
    }

    init(total: Int, capacity: Int) {
        self.total = total
        self.capacity = capacity
    }

    /// A worker's loop: claim the next batch while fewer than `capacity` are in flight.
    func work(loader: DataLoader, epoch: Int, batches: [[Int]], positions: [[Int]]) {
        while true {
            condition.lock()
            while !cancelled && nextToClaim < total && nextToClaim - nextToDeliver >= capacity { condition.wait() }
            if cancelled || nextToClaim >= total {
                condition.unlock()
                return
            }
            let b = nextToClaim
            nextToClaim += 1
            highWater = max(highWater, nextToClaim - nextToDeliver)
            condition.unlock()
            let result = Result { try loader.loadBatch(batches[b], positions: positions[b], epoch: epoch) }
            condition.lock()
            ready[b] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Waits for batch `b` and hands it over, freeing a slot for the workers.
    func take(_ b: Int) -> Result<[PackedSample], Error> {
        condition.lock()
        defer { condition.unlock() }
        while ready[b] == nil { condition.wait() }
        let result = ready.removeValue(forKey: b)!
        nextToDeliver = b + 1
        condition.broadcast()
        return result
    }

    func cancel() {
        condition.lock()
        cancelled = true
        ready.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
