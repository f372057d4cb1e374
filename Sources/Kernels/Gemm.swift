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
        // Outside a `concurrently` window, wait for any window to close: OpenBLAS's thread count
        // is the process's, and a product may round differently with 1 thread than with 2.
        let inWindow = Window.inside
        if !inWindow { Window.lock.lock() }
        cblas_sgemm(
            CblasRowMajor,
            transA ? CblasTrans : CblasNoTrans,
            transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc))
        if !inWindow { Window.lock.unlock() }
    }

    /// Number of threads OpenBLAS uses. Outside a `concurrently` window it waits for any open
    /// one to close, so that it never reports the window's temporary 1 (a test on another thread
    /// read 1 before and 2 after, with OPENBLAS_CORETYPE=SkylakeX).
    public static var threads: Int {
        if Window.inside { return Int(openblas_get_num_threads()) }
        Window.lock.lock()
        defer { Window.lock.unlock() }
        return Int(openblas_get_num_threads())
    }

    /// Sets the number of threads OpenBLAS uses (benchmarks and tests only).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// Runs `body(i)` for every i in `0..<count` side by side, one worker per core (our
    /// `Parallel` workers), OpenBLAS set to one thread meanwhile: for many independent products
    /// too thin for OpenBLAS to split well (Winograd's (m + 2)^2 GEMMs per band; `bench conv`,
    /// 256 channels on 50x76: 1.5x -> 2.3x im2col), each core runs whole products instead of
    /// both sharing each one. Products must not overlap in what they write. The window is
    /// exclusive: products on other threads wait for it (so they never run with the count at
    /// 1, nor round differently because of it). A plain loop with one worker, inside another
    /// window, or where OpenBLAS is not its pthreads build (an OpenMP build's thread count is
    /// per calling thread, so products started on other threads would each run a full team).
    public static func concurrently(_ count: Int, _ body: (Int) -> Void) {
        // Read before OpenBLAS's count is ever 1 here (Parallel.workers is initialised from it).
        let workers = Parallel.workers
        guard workers > 1, count > 1, !Window.inside, openblas_get_parallel() == 1 else {
            for i in 0..<count { body(i) }
            return
        }
        Window.lock.lock()
        defer { Window.lock.unlock() }
        let blas = Int(openblas_get_num_threads())
        guard blas > 1 else {
            Window.inside = true
            defer { Window.inside = false }
            for i in 0..<count { body(i) }
            return
        }
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(blas)) }
        let t = min(workers, blas)
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: min(t, count)) { worker in
                Window.inside = true
                defer { Window.inside = false }
                for i in stride(from: worker, to: count, by: t) { body(i) }
            }
        }
    }

    /// The single-threaded window of `concurrently`: held by its caller while open; `inside`
    /// marks the threads running its products (they call `sgemm` without the lock).
    @usableFromInline
    enum Window {
        @usableFromInline static let lock = NSLock()
        static let key: pthread_key_t = {
            var key = pthread_key_t()
            pthread_key_create(&key, nil)
            return key
        }()

        @usableFromInline static var inside: Bool {
            get { pthread_getspecific(key) != nil }
            set { pthread_setspecific(key, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
        }
    }
}
