import Foundation
import Kernels
import Testing
import TestSupport

/// The BLAS set-up that runs before main in every process (CBLASSetup): which kernel it asks
/// for, that this test process runs with it, and what the `blas:` line says.
@Suite struct BLASEnvironmentTests {
    @Test func choosesTheBestCoreOnlyOverAnOlderOne() {
        #expect(BLASEnvironment.chooseCore(library: "Prescott", best: "SkylakeX") == "SkylakeX")
        #expect(BLASEnvironment.chooseCore(library: "Prescott", best: "Cooperlake") == "Cooperlake")
        #expect(BLASEnvironment.chooseCore(library: "Nehalem", best: "Haswell") == "Haswell")
        #expect(BLASEnvironment.chooseCore(library: "Sandybridge", best: "Zen") == "Zen")
        #expect(BLASEnvironment.chooseCore(library: "Haswell", best: "SkylakeX") == "SkylakeX")
        // As good already, or better than what we would pick.
        #expect(BLASEnvironment.chooseCore(library: "Haswell", best: "Zen") == nil)
        #expect(BLASEnvironment.chooseCore(library: "Zen", best: "Haswell") == nil)
        #expect(BLASEnvironment.chooseCore(library: "Cooperlake", best: "SkylakeX") == nil)
        #expect(BLASEnvironment.chooseCore(library: "SkylakeX", best: "SkylakeX") == nil)
        // An SSE-only CPU, and a core this table does not know (a newer OpenBLAS): no change.
        #expect(BLASEnvironment.chooseCore(library: "Prescott", best: "") == nil)
        #expect(BLASEnvironment.chooseCore(library: "SapphireRapids", best: "Cooperlake") == nil)
    }

    @Test func ranksFollowTheInstructionSets() {
        let order = ["Prescott", "Sandybridge", "Haswell", "SkylakeX", "Cooperlake"].map(BLASEnvironment.rank)
        #expect(order == [1, 2, 3, 4, 5])
        #expect(BLASEnvironment.rank("zen") == 3 && BLASEnvironment.rank("Core2") == 1 && BLASEnvironment.rank("Bogus") == 0)
    }

    /// A core at least as good as the CPU's best, or one the table does not know (a newer
    /// OpenBLAS's, which the set-up trusts).
    static func atLeastBest(_ core: String) -> Bool {
        BLASEnvironment.rank(core) == 0 || BLASEnvironment.rank(core) >= BLASEnvironment.rank(BLASEnvironment.bestCore)
    }

    /// This process went through the set-up: the spin wait is set, and unless the user chose
    /// the core, the library runs one at least as good as the CPU's best.
    @Test func thisProcessRunsTheSetUpKernel() {
        let env = ProcessInfo.processInfo.environment
        #expect(env[BLASEnvironment.spinVariable] != nil)
        let userSet = env[BLASEnvironment.coreVariable] != nil && env[BLASEnvironment.markVariable] == nil
        if !userSet {
            #expect(Self.atLeastBest(BLASEnvironment.core), "\(BLASEnvironment.summary); CPU: \(BLASEnvironment.cpuFeatures)")
        }
    }

    @Test func originSaysWhoChoseTheCore() {
        let ours = ["OPENBLAS_CORETYPE": "SkylakeX", "SWIFTDET_BLAS_CORE": "Prescott>SkylakeX"]
        #expect(BLASEnvironment.origin(core: "SkylakeX", environment: ours, bestCore: "SkylakeX") == "library detected Prescott")
        // A child given another value than the one we chose: the user's.
        let changed = ["OPENBLAS_CORETYPE": "Haswell", "SWIFTDET_BLAS_CORE": "Prescott>SkylakeX"]
        #expect(BLASEnvironment.origin(core: "Haswell", environment: changed, bestCore: "SkylakeX")
                == "OPENBLAS_CORETYPE=Haswell set by the user")
        // Asked for, but the library runs another (an exec that failed, a library without it).
        #expect(BLASEnvironment.origin(core: "Prescott", environment: ours, bestCore: "SkylakeX")
                == "SwiftDet asked for SkylakeX over the library's Prescott, the library runs Prescott")
        #expect(BLASEnvironment.origin(core: "Cooperlake", environment: [:], bestCore: "Cooperlake") == "library's choice")
        #expect(BLASEnvironment.origin(core: "Prescott", environment: [:], bestCore: "SkylakeX")
                == "library's choice; the CPU's best would be SkylakeX")
    }

    /// A real executable, started with and without the user's variable.
    @Test func executablesPrintTheirKernelAndKeepTheUsersChoice() throws {
        let bench = try TestFiles.builtExecutable("bench")
        let clean = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OPENBLAS_") && !$0.key.hasPrefix("SWIFTDET_BLAS") }
        let own = try Self.run(bench, ["config", "--repetitions", "1"], environment: clean)
        let core = try #require(own.split(separator: "\n").first { $0.hasPrefix("blas-core: ") }).dropFirst("blas-core: ".count)
        #expect(Self.atLeastBest(String(core)), "\(own)")
        #expect(own.hasPrefix("blas: OpenBLAS"), "\(own)")
        let user = try Self.run(bench, ["config", "--repetitions", "1"], environment: clean.merging(["OPENBLAS_CORETYPE": "Prescott"]) { $1 })
        #expect(user.contains("blas-core: Prescott\n"), "\(user)")
        #expect(user.contains("core Prescott (OPENBLAS_CORETYPE=Prescott set by the user)"), "\(user)")
    }

    static func run(_ path: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.environment = environment
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(path) \(arguments) exited with \(p.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }
}
