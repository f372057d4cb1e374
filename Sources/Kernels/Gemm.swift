import COpenBLAS
import Dispatch
import Foundation

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

    /// Runs `body(i)` for every i in `0..<count` side by side, one worker per core (our
    /// `Parallel` workers), OpenBLAS set to one thread meanwhile: for many independent products
    /// too thin for OpenBLAS to split well (Winograd's (m + 2)^2 GEMMs per band; `bench conv`,
    /// 256 channels on 50x76: 1.5x -> 2.3x im2col), each core runs whole products instead of
    /// both sharing each one. Products must not overlap in what they write. A plain loop with
    /// one worker, or where OpenBLAS is not its pthreads build (an OpenMP build's thread count
    /// is per calling thread, so products started on other threads would each run a full team).
    public static func concurrently(_ count: Int, _ body: (Int) -> Void) {
        // Read before OpenBLAS's count is ever 1 here (Parallel.workers is initialised from it).
        let workers = Parallel.workers
        guard workers > 1, count > 1, openblas_get_parallel() == 1, let blas = SingleThreaded.enter() else {
            for i in 0..<count { body(i) }
            return
        }
        defer { SingleThreaded.leave() }
        let t = min(workers, blas)
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: min(t, count)) { worker in
                for i in stride(from: worker, to: count, by: t) { body(i) }
            }
        }
    }

    /// OpenBLAS's thread count is global: the first of any concurrent `concurrently` calls
    /// sets it to 1 and the last one out restores it.
    private enum SingleThreaded {
        private static let lock = NSLock()
        nonisolated(unsafe) private static var inside = 0
        nonisolated(unsafe) private static var saved = 1

        /// The thread count to restore, or nil when it is 1 already (nothing to gain).
        static func enter() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            if inside == 0 {
                saved = Int(openblas_get_num_threads())
                if saved <= 1 { return nil }
                openblas_set_num_threads(1)
            }
            inside += 1
            return saved
        }

        static func leave() {
            lock.lock()
            defer { lock.unlock() }
            inside -= 1
            if inside == 0 { openblas_set_num_threads(Int32(saved)) }
        }
    }
}
