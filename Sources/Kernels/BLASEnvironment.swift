import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS settings that can only be given through the environment, read once when the
/// library loads.
///
/// After each call OpenBLAS's worker threads keep spinning (yielding) for
/// `OPENBLAS_THREAD_TIMEOUT` (2^n cycles, default 2^28, about 0.1 s). On 2 cores that steals a
/// third of the CPU from our own kernels (im2col, norms, elementwise) that run between GEMMs.
/// Executables call `shortenSpinWait()` first thing: when the variable is unset, it sets it to
/// the minimum (4) and re-executes the program once so that OpenBLAS sees it.
public enum BLASEnvironment {
    public static let spinVariable = "OPENBLAS_THREAD_TIMEOUT"

    /// Re-executes the current program with `OPENBLAS_THREAD_TIMEOUT=4` unless the variable is
    /// already set (by the user or by an earlier call). Returns normally if re-execution fails.
    public static func shortenSpinWait() {
        #if os(Linux)
        guard getenv(spinVariable) == nil else { return }
        setenv(spinVariable, "4", 1)
        let args = CommandLine.arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cArgs.append(nil)
        execv("/proc/self/exe", cArgs)
        // execv returned: it failed; carry on with the default spin time.
        for p in cArgs { free(p) }
        #endif
    }

    /// The spin setting in force, for benchmark headers.
    public static var spinSetting: String {
        ProcessInfo.processInfo.environment[spinVariable] ?? "default"
    }
}
