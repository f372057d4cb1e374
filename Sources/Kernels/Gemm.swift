import COpenBLAS
import Dispatch

/// Row-major single-precision matrix products through OpenBLAS (`cblas_sgemm`).
/// The only place that calls BLAS for products; every other kernel goes through here.
public enum Gemm {
    /// C[m, n] = alpha * op(A) * op(B) + beta * C, all row-major.
    /// op(A) is (m, k): A is (m, k) with lda >= k, or (k, m) with lda >= m when `transA`.
    /// op(B) is (k, n): B is (k, n) with ldb >= n, or (n, k) with ldb >= k when `transB`.
    @inlinable
    public static func sgemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS leaves C scaled by beta; make that explicit for beta == 0 (C may be garbage).
            for i in 0..<m {
                let row = c + i * ldc
                if beta == 0 { row.update(repeating: 0, count: n) } else {
                    for j in 0..<n { row[j] *= beta }
                }
            }
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transA ? CblasTrans : CblasNoTrans,
            transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc))
    }

    /// Number of threads OpenBLAS uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of threads OpenBLAS uses (benchmarks and tests only).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// Runs `body(i)` for every i in `0..<count` on the BLAS threads, OpenBLAS set to one
    /// thread for the duration: for many independent products too thin for OpenBLAS to split
    /// well (Winograd's (m + 2)^2 GEMMs per band, `bench conv`: 1.5x -> 2.1x im2col at 256
    /// channels on 50x76), each core runs whole products instead of both sharing each one.
    /// Products must not overlap in what they write. With one BLAS thread, a plain loop.
    public static func concurrently(_ count: Int, _ body: (Int) -> Void) {
        // Parallel.workers is read (so initialised from OpenBLAS's count) before that count is
        // ever 1 here, never by another thread meanwhile.
        let blas = threads
        let t = min(blas, Parallel.workers)
        guard t > 1, count > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        // Every caller restores what it read, so concurrent callers leave the count as it was.
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(blas)) }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: min(t, count)) { worker in
                for i in stride(from: worker, to: count, by: t) { body(i) }
            }
        }
    }
}
