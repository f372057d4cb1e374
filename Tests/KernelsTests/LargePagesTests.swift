import Kernels
import Testing

@Suite struct LargePagesTests {
    @Test func largeBlocksAreHugePageAlignedAndRecycled() {
        let bytes = 37 << 20 + 1  // an odd size no other test allocates
        let a = LargePages.allocate(byteCount: bytes)
        #expect(Int(bitPattern: a) % (2 << 20) == 0)
        a.storeBytes(of: 1.5, toByteOffset: bytes - 4, as: Float.self)
        LargePages.deallocate(a, byteCount: bytes)
        let b = LargePages.allocate(byteCount: bytes)
        #expect(a == b, "a freed block of the same rounded size is reused")
        LargePages.deallocate(b, byteCount: bytes)
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
