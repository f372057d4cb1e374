import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Allocation of large buffers (tensor storage, scratch): mapped from the OS on transparent
/// huge pages where offered (Linux `madvise(MADV_HUGEPAGE)`), and recycled through a cache.
///
/// The first touch of freshly mapped memory page-faults once per page, and the kernel zeroes
/// every page it maps: with 4 KiB pages a 60 MB activation costs about as much to fault in as
/// a GEMM on it takes to compute; 2 MiB pages cut the faults 512-fold, and a recycled block
/// costs nothing. A training or inference loop allocates the same sizes every iteration, so
/// freed blocks are kept for the next request of the same size class (`rounded`), or of a
/// class up to half their size (`BlockCache`).
///
/// Blocks of sizes a loop no longer asks for (validation's, once training resumes) would add
/// to the peak resident set: the Runner gives the cache back to the OS (`cache.trim()`) when
/// it switches between training and validation. Thread-safe.
public enum LargePages {
    /// Buffers at least this large are 2 MiB aligned, advised to use huge pages, and recycled.
    public static let threshold = 4 << 20
    static let hugePage = 2 << 20

    /// The process's cache of freed large blocks.
    public static let cache = BlockCache()

    /// Uninitialised memory of at least `byteCount` bytes, 64-byte aligned; release it with
    /// `deallocate(_:byteCount:)` and the same byte count.
    public static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        guard byteCount >= threshold else {
            return UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        }
        return cache.take(rounded(byteCount))
    }

    /// Returns memory from `allocate(byteCount:)`.
    public static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        guard byteCount >= threshold else { return pointer.deallocate() }
        cache.give(pointer, bytes: rounded(byteCount))
    }

    /// `bytes` (a multiple of 2 MiB) of fresh memory at a 2 MiB boundary, on huge pages where
    /// the OS offers them: a larger mapping trimmed to the boundary.
    static func map(_ bytes: Int) -> UnsafeMutableRawPointer {
        let span = bytes + hugePage
        guard let raw = mmap(nil, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
            fatalError("out of memory: could not map \(bytes >> 20) MiB (\(String(cString: strerror(errno))))")
        }
        let address = Int(bitPattern: raw)
        let aligned = (address + hugePage - 1) / hugePage * hugePage
        if aligned > address { munmap(raw, aligned - address) }
        let tail = address + span - (aligned + bytes)
        if tail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: aligned + bytes)!, tail) }
        let pointer = UnsafeMutableRawPointer(bitPattern: aligned)!
        #if os(Linux)
        _ = madvise(pointer, bytes, MADV_HUGEPAGE)
        #endif
        return pointer
    }

    static func unmap(_ pointer: UnsafeMutableRawPointer, _ bytes: Int) {
        munmap(pointer, bytes)
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
}

/// Freed blocks of whole 2 MiB pages kept for reuse by size (`LargePages.cache`; tests make
/// their own). A request takes the most recently freed block of its size, else the smallest
/// cached block up to twice its size (pages already faulted in, which would otherwise sit idle
/// while new ones are mapped: Faster R-CNN's train step peaks 4% lower, AMD Zen 4), or maps new
/// memory. A larger block goes back to the cache at its own size.
/// At most `limit` bytes are kept (the oldest blocks go back to the OS first); `trim()` gives
/// all back, for when a loop changes the sizes it asks for (training after validation).
public final class BlockCache: @unchecked Sendable {
    /// Most bytes kept in freed blocks.
    public let limit: Int
    private let lock = NSLock()
    private var blocks: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    private var held = 0
    private var mappedBytes = 0
    /// The sizes of blocks handed out for smaller requests.
    private var larger: [UnsafeMutableRawPointer: Int] = [:]

    /// A cache keeping at most `limit` bytes (default: a quarter of the physical memory).
    public init(limit: Int = Int(ProcessInfo.processInfo.physicalMemory / 4)) {
        self.limit = limit
    }

    deinit {
        for block in blocks { LargePages.unmap(block.pointer, block.bytes) }
    }

    /// Bytes held in freed blocks.
    public var cachedBytes: Int {
        lock.lock()
        defer { lock.unlock() }
        return held
    }

    /// Bytes of new memory mapped so far (each page is faulted in and zeroed by the OS on
    /// first touch: what reuse saves).
    public var mappedByteCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return mappedBytes
    }

    /// A block of at least `bytes` (a multiple of 2 MiB), 2 MiB aligned.
    public func take(_ bytes: Int) -> UnsafeMutableRawPointer {
        lock.lock()
        var index = blocks.lastIndex(where: { $0.bytes == bytes })
        if index == nil {
            var smallest = Int.max
            for (i, block) in blocks.enumerated() where block.bytes > bytes && block.bytes <= 2 * bytes && block.bytes < smallest {
                index = i
                smallest = block.bytes
            }
        }
        if let index {
            let block = blocks.remove(at: index)
            held -= block.bytes
            if block.bytes != bytes { larger[block.pointer] = block.bytes }
            lock.unlock()
            return block.pointer
        }
        mappedBytes += bytes
        lock.unlock()
        return LargePages.map(bytes)
    }

    /// Keeps a block from `take` (`bytes` as asked there) for reuse, or gives it back to the
    /// OS past `limit`.
    public func give(_ pointer: UnsafeMutableRawPointer, bytes asked: Int) {
        var dropped: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
        lock.lock()
        let bytes = larger.removeValue(forKey: pointer) ?? asked
        if bytes <= limit {
            while held + bytes > limit, !blocks.isEmpty {
                let old = blocks.removeFirst()
                held -= old.bytes
                dropped.append(old)
            }
            blocks.append((pointer, bytes))
            held += bytes
        } else {
            dropped.append((pointer, bytes))
        }
        lock.unlock()
        for block in dropped { LargePages.unmap(block.pointer, block.bytes) }
    }

    /// Gives every cached block back to the OS.
    public func trim() {
        lock.lock()
        let dropped = blocks
        blocks = []
        held = 0
        lock.unlock()
        for block in dropped { LargePages.unmap(block.pointer, block.bytes) }
    }
}
