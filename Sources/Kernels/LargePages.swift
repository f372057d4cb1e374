import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Allocation of large buffers (tensor storage, scratch): on transparent huge pages where the
/// OS offers them (Linux `madvise(MADV_HUGEPAGE)`), and recycled through a bounded cache.
///
/// The first touch of freshly mapped memory page-faults once per page, and the kernel zeroes
/// every page it maps: with 4 KiB pages a 60 MB activation costs about as much to fault in as
/// a GEMM on it takes to compute; 2 MiB pages cut the faults 512-fold, and a recycled block
/// costs nothing. A training or inference loop allocates the same sizes every iteration, so
/// freed blocks are kept (up to `cacheLimit` bytes, oldest dropped first) for the next
/// request of the same rounded size. Thread-safe.
public enum LargePages {
    /// Buffers at least this large are 2 MiB aligned, advised to use huge pages, and recycled.
    public static let threshold = 4 << 20
    /// Most bytes kept in freed blocks for reuse: an eighth of the physical memory.
    public static let cacheLimit = Int(ProcessInfo.processInfo.physicalMemory / 4)
    static let hugePage = 2 << 20

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    nonisolated(unsafe) private static var cachedBytes = 0

    /// Uninitialised memory of at least `byteCount` bytes, 64-byte aligned; release it with
    /// `deallocate(_:byteCount:)` and the same byte count.
    public static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        guard byteCount >= threshold else {
            return UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        }
        let bytes = rounded(byteCount)
        if let reused = takeCached(bytes) { return reused }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: hugePage)
        #if os(Linux)
        _ = madvise(raw, bytes, MADV_HUGEPAGE)
        #endif
        return raw
    }

    /// Returns memory from `allocate(byteCount:)`.
    public static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        guard byteCount >= threshold else { return pointer.deallocate() }
        let bytes = rounded(byteCount)
        var dropped: [UnsafeMutableRawPointer] = []
        lock.lock()
        if bytes <= cacheLimit {
            while cachedBytes + bytes > cacheLimit, !cached.isEmpty {
                let old = cached.removeFirst()
                cachedBytes -= old.bytes
                dropped.append(old.pointer)
            }
            cached.append((pointer, bytes))
            cachedBytes += bytes
        } else {
            dropped.append(pointer)
        }
        lock.unlock()
        for p in dropped { p.deallocate() }
    }

    /// The size class of a request: whole 2 MiB pages, and above 8 pages a multiple of a
    /// quarter of the largest power of two below it (at most 25% more than asked), so that
    /// requests of nearly the same size (activations of a varying number of RoIs) share
    /// freed blocks instead of each mapping and zeroing fresh memory.
    public static func rounded(_ byteCount: Int) -> Int {
        let pages = (byteCount + hugePage - 1) / hugePage
        guard pages > 8 else { return pages * hugePage }
        let step = (1 << (Int.bitWidth - 1 - pages.leadingZeroBitCount)) / 4
        return (pages + step - 1) / step * step * hugePage
    }

    /// The most recently freed cached block of exactly `bytes`, if any.
    private static func takeCached(_ bytes: Int) -> UnsafeMutableRawPointer? {
        lock.lock()
        defer { lock.unlock() }
        guard let i = cached.lastIndex(where: { $0.bytes == bytes }) else { return nil }
        cachedBytes -= bytes
        return cached.remove(at: i).pointer
    }
}
