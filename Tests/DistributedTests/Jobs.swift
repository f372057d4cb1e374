import Distributed
import Foundation
import TestSupport

/// Starts the built tools as the tests need them: alone, or as the ranks of an Open MPI job,
/// each under a time limit (a job still running after it is killed and reported as status -1).
enum Jobs {
    /// Open MPI refuses to run as root unless told (CI machines run as root).
    static let environment: [String: String] = {
        var env = ProcessInfo.processInfo.environment
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        return env
    }()

    static func mpirun() throws -> String {
        for dir in ["/usr/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/mpirun.openmpi") {
            return dir + "/mpirun.openmpi"
        }
        throw DistributedError("mpirun.openmpi not found: tools/install-deps.sh installs openmpi-bin")
    }

    struct Outcome {
        let status: Int32
        let output: String
        let seconds: Double
    }

    /// `tool args` in `ranks` processes started by mpirun (`ranks` nil: one process, no mpirun),
    /// in the package root. `whileRunning` is polled every 50 ms; returning true kills the job.
    static func run(_ tool: String, _ args: [String], ranks: Int?, extraEnvironment: [String: String] = [:], limit: Double = 120,
                    whileRunning: () -> Bool = { false }) throws -> Outcome {
        let process = Process()
        let executable = try TestFiles.builtExecutable(tool)
        if let ranks {
            process.executableURL = URL(fileURLWithPath: try mpirun())
            process.arguments = ["-np", "\(ranks)", "--bind-to", "none", executable] + args
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = args
        }
        return try run(process, extraEnvironment: extraEnvironment, limit: limit, whileRunning: whileRunning)
    }

    /// An MPMD job: one process per entry, each its own tool and arguments.
    static func runEach(_ commands: [(tool: String, args: [String])], limit: Double = 120) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try mpirun())
        var args = ["--bind-to", "none"]
        for (i, c) in commands.enumerated() {
            args += (i > 0 ? [":"] : []) + ["-np", "1", try TestFiles.builtExecutable(c.tool)] + c.args
        }
        process.arguments = args
        return try run(process, extraEnvironment: [:], limit: limit, whileRunning: { false })
    }

    private static func run(_ process: Process, extraEnvironment: [String: String], limit: Double,
                            whileRunning: () -> Bool) throws -> Outcome {
        process.environment = environment.merging(extraEnvironment) { $1 }
        process.currentDirectoryURL = TestFiles.packageRoot
        // Output to a file: nothing to drain while the job runs, whatever it prints.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("job-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        let start = Date()
        try process.run()
        var killed = false
        while process.isRunning && Date().timeIntervalSince(start) < limit {
            if whileRunning() {
                killed = true
                break
            }
            usleep(50_000)
        }
        var status: Int32 = -1
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        } else {
            process.waitUntilExit()
            status = process.terminationStatus
        }
        if killed { status = -2 }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return Outcome(status: status, output: output, seconds: Date().timeIntervalSince(start))
    }

    /// A fresh temporary folder.
    static func temporaryFolder(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
