#if canImport(Glibc)
import Glibc
#endif

/// Allocation of large buffers on transparent huge pages where the OS offers them (Linux
/// `madvise(MADV_HUGEPAGE)`), 64-byte aligned otherwise.
///
/// The first touch of freshly mapped memory page-faults once per page: with 4 KiB pages a
/// 60 MB activation costs about as much to fault in as a GEMM on it takes to compute. 2 MiB
/// pages fault 512 times less often.
public enum LargePages {
    /// Buffers at least this large are 2 MiB aligned and advised to use huge pages.
    public static let threshold = 4 << 20
    static let hugePage = 2 << 20

    /// Uninitialised memory; release with `UnsafeMutableRawPointer.deallocate()`.
    public static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        #if os(Linux)
        if byteCount >= threshold {
            let rounded = (byteCount + hugePage - 1) / hugePage * hugePage
            let raw = UnsafeMutableRawPointer.allocate(byteCount: rounded, alignment: hugePage)
            _ = madvise(raw, rounded, MADV_HUGEPAGE)
            return raw
        }
        #endif
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }
}
