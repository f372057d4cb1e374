import Dispatch
import Kernels
import Testing

/// `Gemm.concurrently`: products run side by side give what the same products give one after
/// the other, and OpenBLAS's thread count is as it was afterwards, also when several callers
/// overlap or nest.
@Suite struct GemmConcurrentlyTests {
    static let n = 48

    /// Product i: A_i (n x n) times B (n x n), A_i's entries depending on i.
    static func products(_ count: Int, run: (Int, (Int) -> Void) -> Void) -> [[Float]] {
        let n = Self.n
        let b: [Float] = (0..<(n * n)).map { (j: Int) -> Float in Float((j * 7) % 13) - 6 }
        var outs = [[Float]](repeating: [Float](repeating: .nan, count: n * n), count: count)
        let a: [[Float]] = (0..<count).map { (i: Int) -> [Float] in
            (0..<(n * n)).map { (j: Int) -> Float in Float((j + 3 * i) % 11) * 0.25 - 1 }
        }
        outs.withUnsafeMutableBufferPointer { outs in
            let base = outs.baseAddress!
            run(count) { i in
                base[i].withUnsafeMutableBufferPointer { c in
                    Gemm.sgemm(m: n, n: n, k: n, a: a[i], lda: n, b: b, ldb: n, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return outs
    }

    @Test func sideBySideEqualsOneAfterAnother() {
        let before = Gemm.threads
        let sequential = Self.products(9) { count, body in for i in 0..<count { body(i) } }
        let together = Self.products(9) { count, body in Gemm.concurrently(count, body) }
        #expect(together == sequential, "small integers: every sum is exact in float32")
        #expect(Gemm.threads == before)
    }

    @Test func overlappingAndNestedCallersRestoreTheThreadCount() {
        let before = Gemm.threads
        let expected = Self.products(5) { count, body in for i in 0..<count { body(i) } }
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let got = Self.products(5) { count, body in
                Gemm.concurrently(count) { i in
                    if i == 0 { Gemm.concurrently(2) { _ in } }  // nested: already single-threaded
                    body(i)
                }
            }
            #expect(got == expected)
        }
        #expect(Gemm.threads == before)
    }
}
