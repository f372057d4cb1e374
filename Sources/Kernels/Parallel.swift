import Dispatch
import COpenBLAS

/// Splits index ranges across the machine's cores for our own (non-BLAS) kernels.
///
/// Rule: never call BLAS from inside `forRange`. OpenBLAS already uses every core, and
/// nesting its threads inside ours oversubscribes the CPU (`Gemm.concurrently` runs
/// single-threaded products side by side instead).
public enum Parallel {
    /// Number of worker threads our kernels use: as many as OpenBLAS uses (the online cores,
    /// or OPENBLAS_NUM_THREADS when set, as tools/dist_train.sh sets it to cores / processes).
    public static let workers: Int = max(1, Int(openblas_get_num_threads()))

    /// Below this many "units of work" a loop runs on the calling thread.
    public static let defaultGrain = 32_768

    /// Runs `body(range)` over `0..<count`, split into contiguous chunks, one per worker.
    /// `cost` is the approximate work per index (elements touched), used to decide whether
    /// splitting is worth a thread hop.
    @inlinable
    public static func forRange(
        _ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        if count <= 0 { return }
        let chunks = min(workers, count)
        if chunks <= 1 || count * max(cost, 1) < defaultGrain {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = count * c / chunks
                let hi = count * (c + 1) / chunks
                if lo < hi { body(lo..<hi) }
            }
        }
    }

    /// Runs `body(i)` for every i in `0..<count`, split across workers.
    @inlinable
    public static func forEach(_ count: Int, cost: Int = 1, _ body: (Int) -> Void) {
        forRange(count, cost: cost) { r in
            for i in r { body(i) }
        }
    }
}
