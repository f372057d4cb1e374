import Kernels
import Testing

@Suite struct LargePagesTests {
    @Test func largeBlocksAreHugePageAlignedAndRecycled() {
        let cache = BlockCache()
        let bytes = LargePages.rounded((1 << 30) + 1)  // only one page is touched
        let a = cache.take(bytes)
        #expect(Int(bitPattern: a) % (2 << 20) == 0)
        a.storeBytes(of: 1.5, toByteOffset: bytes - 4, as: Float.self)
        cache.give(a, bytes: bytes)
        #expect(cache.cachedBytes == bytes)
        let b = cache.take(bytes)
        #expect(a == b && cache.cachedBytes == 0, "a freed block of the same size is reused")
        #expect(b.load(fromByteOffset: bytes - 4, as: Float.self) == 1.5)
        cache.give(b, bytes: bytes)
    }

    /// Past its limit the cache gives the oldest blocks back; `trim` gives all back; a request
    /// of a size not cached maps new memory.
    @Test func theCacheIsBoundedAndTrimmed() {
        let mb = 1 << 20
        let cache = BlockCache(limit: 16 * mb)
        let a = cache.take(8 * mb), b = cache.take(6 * mb), c = cache.take(4 * mb)
        #expect(cache.mappedByteCount == 18 * mb)
        cache.give(a, bytes: 8 * mb)
        cache.give(b, bytes: 6 * mb)
        cache.give(c, bytes: 4 * mb)  // 18 MB > 16: a, the oldest, goes back
        #expect(cache.cachedBytes == 10 * mb)
        let d = cache.take(6 * mb)
        #expect(d == b && cache.cachedBytes == 4 * mb && cache.mappedByteCount == 18 * mb)
        let e = cache.take(8 * mb)  // a is gone: new memory
        #expect(cache.mappedByteCount == 26 * mb)
        cache.give(d, bytes: 6 * mb)
        cache.give(e, bytes: 8 * mb)
        #expect(cache.cachedBytes == 14 * mb)  // c, the oldest, made room for e
        cache.trim()
        #expect(cache.cachedBytes == 0)
        let big = cache.take(32 * mb)
        cache.give(big, bytes: 32 * mb)  // over the limit: straight back to the OS
        #expect(cache.cachedBytes == 0)
    }

    /// With no cached block of its size, a request takes the smallest cached one up to twice
    /// its size, which goes back to the cache at its own size.
    @Test func aLargerCachedBlockServesASmallerRequest() {
        let mb = 1 << 20
        let cache = BlockCache(limit: 128 * mb)
        let a = cache.take(16 * mb), b = cache.take(10 * mb), c = cache.take(40 * mb)
        cache.give(a, bytes: 16 * mb)
        cache.give(b, bytes: 10 * mb)
        cache.give(c, bytes: 40 * mb)
        let d = cache.take(8 * mb)  // 10 and 16 fit; 40 is over twice 8
        #expect(d == b && cache.cachedBytes == 56 * mb && cache.mappedByteCount == 66 * mb)
        let e = cache.take(18 * mb)  // 16 is too small, 40 over twice 18: new memory
        #expect(e != a && e != c && cache.mappedByteCount == 84 * mb)
        cache.give(d, bytes: 8 * mb)
        #expect(cache.cachedBytes == 66 * mb, "b is back at its own 10 MB")
        #expect(cache.take(10 * mb) == b && cache.cachedBytes == 56 * mb)
        cache.give(b, bytes: 10 * mb)
        cache.give(e, bytes: 18 * mb)
        cache.trim()
        #expect(cache.cachedBytes == 0)
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
