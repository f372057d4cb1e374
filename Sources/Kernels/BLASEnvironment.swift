import CBLASSetup
import COpenBLAS
import Foundation

/// What OpenBLAS runs with in this process, for the `blas:` line of train, test and bench.
///
/// The set-up itself happens before `main` in every process that links Kernels (the C target
/// CBLASSetup): when the library fell back to an older kernel than the CPU supports,
/// `OPENBLAS_CORETYPE` is set to the best core this OpenBLAS has for the CPU, the spin wait of
/// its worker threads (`OPENBLAS_THREAD_TIMEOUT`) is shortened to the minimum, and the program
/// re-executes itself once so that the library sees both. Values the user set are kept.
public enum BLASEnvironment {
    public static let coreVariable = "OPENBLAS_CORETYPE"
    public static let spinVariable = "OPENBLAS_THREAD_TIMEOUT"
    /// Set by the start-up code to "<library's core>><chosen core>" when it chose the core.
    public static let markVariable = "SWIFTDET_BLAS_CORE"

    /// "OpenBLAS 0.3.21" (the first two words of the library's build configuration).
    public static var version: String {
        guard let config = openblas_get_config() else { return "OpenBLAS" }
        return String(cString: config).split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// The kernel the library runs ("SkylakeX", "Haswell", "Prescott", ...).
    public static var core: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The best core for this CPU by cpuid ("" for an SSE-only CPU).
    public static var bestCore: String { String(cString: swiftdet_cpu_best_core()) }

    /// The core the start-up code asks for when the library chose `library` on a CPU whose best
    /// core is `best`, or nil to keep the library's choice (see blas_setup.c).
    public static func chooseCore(library: String, best: String) -> String? {
        guard let chosen = swiftdet_blas_choose_core(library, best) else { return nil }
        return String(cString: chosen)
    }

    /// The rank of an OpenBLAS core name: 1 SSE, 2 AVX, 3 AVX2 (Haswell, Zen), 4 SkylakeX,
    /// 5 Cooperlake; 0 for a name the table does not know.
    public static func rank(_ core: String) -> Int { Int(swiftdet_blas_core_rank(core)) }

    /// The CPU vendor and vector features, e.g. "GenuineIntel avx512f ... avx2 fma avx".
    public static var cpuFeatures: String { String(cString: swiftdet_cpu_summary()) }

    /// Why the library runs `core`: chosen at start-up over the library's own detection, set
    /// by the user, or the library's own choice.
    public static var origin: String {
        origin(core: core, environment: ProcessInfo.processInfo.environment, bestCore: bestCore)
    }

    /// `origin` for a given core, environment and CPU.
    public static func origin(core current: String, environment env: [String: String], bestCore best: String) -> String {
        if let mark = env[markVariable], let requested = env[coreVariable],
           case let parts = mark.split(separator: ">", omittingEmptySubsequences: false), parts.count == 2,
           parts[1].caseInsensitiveCompare(requested) == .orderedSame {
            if requested.caseInsensitiveCompare(current) == .orderedSame { return "library detected \(parts[0])" }
            return "SwiftDet asked for \(requested) over the library's \(parts[0]), the library runs \(current)"
        }
        if let requested = env[coreVariable] {
            return "\(coreVariable)=\(requested) set by the user"
        }
        if best.isEmpty || best.caseInsensitiveCompare(current) == .orderedSame { return "library's choice" }
        return "library's choice; the CPU's best would be \(best)"
    }

    /// `blas: OpenBLAS 0.3.21, core SkylakeX (library detected Prescott)`.
    public static var summary: String {
        "blas: \(version), core \(core) (\(origin))"
    }

    /// The CPU's model name, family and model (/proc/cpuinfo), e.g. "AMD EPYC, family 25
    /// model 17" or "Intel(R) Xeon(R) Platinum 8581C, family 6 model 207".
    public static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { break }  // the first processor only
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let name = fields["model name"] ?? "unknown CPU"
        guard let family = fields["cpu family"], let model = fields["model"] else { return name }
        return "\(name), family \(family) model \(model)"
    }

    /// The spin setting in force, for benchmark headers.
    public static var spinSetting: String {
        ProcessInfo.processInfo.environment[spinVariable] ?? "default"
    }
}
