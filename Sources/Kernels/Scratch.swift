import Foundation

/// Reusable temporary float buffers for kernels (im2col column matrices), so that repeated
/// calls reuse memory that is already mapped instead of page-faulting a fresh allocation each
/// time (on Linux, touching a fresh 4 MiB buffer costs about as much as a small GEMM).
///
/// A buffer is lent for the duration of a closure and returned to a small pool afterwards;
/// the pool keeps at most `maxPooled` buffers (the largest ones). Thread-safe.
public enum Scratch {
    /// Buffers kept for reuse when nobody holds them.
    public static let maxPooled = 4

    private static let lock = NSLock()
    nonisolated(unsafe) private static var pool: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []

    /// Runs `body` with an uninitialised buffer of at least `count` floats (64-byte aligned).
    public static func withBuffer<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let (pointer, capacity) = take(count)
        defer { giveBack(pointer, capacity) }
        return try body(pointer)
    }

    private static func take(_ count: Int) -> (UnsafeMutablePointer<Float>, Int) {
        lock.lock()
        defer { lock.unlock() }
        if let i = pool.indices.filter({ pool[$0].capacity >= count }).min(by: { pool[$0].capacity < pool[$1].capacity }) {
            return pool.remove(at: i)
        }
        let capacity = max(count, 1)
        let raw = LargePages.allocate(byteCount: capacity * MemoryLayout<Float>.stride)
        return (raw.bindMemory(to: Float.self, capacity: capacity), capacity)
    }

    private static func giveBack(_ pointer: UnsafeMutablePointer<Float>, _ capacity: Int) {
        lock.lock()
        defer { lock.unlock() }
        pool.append((pointer, capacity))
        if pool.count > maxPooled {
            pool.sort { $0.capacity > $1.capacity }
            let dropped = pool.removeLast()
            LargePages.deallocate(UnsafeMutableRawPointer(dropped.pointer), byteCount: dropped.capacity * MemoryLayout<Float>.stride)
        }
    }
}
