import Kernels
import Testing

@Suite struct LargePagesTests {
    @Test func largeBlocksAreHugePageAlignedAndRecycled() {
        let bytes = (1 << 30) + 1  // a size class (1-1.25 GiB) no other test allocates; only one page is touched
        let a = LargePages.allocate(byteCount: bytes)
        #expect(Int(bitPattern: a) % (2 << 20) == 0)
        a.storeBytes(of: 1.5, toByteOffset: bytes - 4, as: Float.self)
        LargePages.deallocate(a, byteCount: bytes)
        let b = LargePages.allocate(byteCount: bytes)
        #expect(a == b, "a freed block of the same rounded size is reused")
        LargePages.deallocate(b, byteCount: bytes)
    }

    /// Size classes: whole 2 MiB pages, coarser above 16 MiB, never more than a quarter (or
    /// one page) over the request, and nearly equal requests share a class.
    @Test func sizeClassesBoundTheWaste() {
        let page = 2 << 20
        for bytes in stride(from: 4 << 20, through: 3 << 30, by: 7_654_321) {
            let c = LargePages.rounded(bytes)
            #expect(c >= bytes && c % page == 0 && Double(c) <= max(Double(bytes) * 1.25, Double(bytes + page)), "\(bytes) -> \(c)")
        }
        #expect(LargePages.rounded(37 << 20) == LargePages.rounded(39 << 20))
        #expect(LargePages.rounded(6 << 20) != LargePages.rounded(8 << 20))
    }

    @Test func smallBlocksAreOrdinaryAllocations() {
        let p = LargePages.allocate(byteCount: 1000)
        #expect(Int(bitPattern: p) % 64 == 0)
        LargePages.deallocate(p, byteCount: 1000)
    }

    @Test func nestedScratchBuffersAreDistinct() {
        // (Reuse across calls is not asserted: tests running in parallel share the pool.)
        Scratch.withBuffer(3 << 20) { outer in
            outer[(3 << 20) - 1] = 2
            Scratch.withBuffer(1 << 20) { inner in
                #expect(inner != outer)
                inner[(1 << 20) - 1] = 3
            }
            #expect(outer[(3 << 20) - 1] == 2)
        }
    }
}
