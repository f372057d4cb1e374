import Distributed
import Foundation
import Testing
import TestSupport

/// The collectives across real processes: `dist-check` started by Open MPI's mpirun with two
/// ranks (shared memory, then TCP on loopback, the path between machines), each check's value
/// predicted on every rank; a rank that aborts or exits ends the job within seconds.
@Suite struct CommunicatorTests {
    /// Runs `dist-check` under mpirun; returns the exit status, the output and the seconds taken.
    static func run(ranks: Int, _ args: [String], extraEnvironment: [String: String] = [:], limit: Double = 60) throws
        -> (status: Int32, output: String, seconds: Double) {
        let job = try Jobs.run("dist-check", args, ranks: ranks, extraEnvironment: extraEnvironment, limit: limit)
        return (job.status, job.output, job.seconds)
    }

    /// Every check dist-check makes (a check it stopped making must not pass unnoticed).
    static let checks: [String] = {
        let collectives = ["allreduce_float", "allreduce_double", "allreduce_max", "broadcast", "gather"]
        let dataParallel = ["dp_replicas_differ_before", "dp_replicas_agree", "dp_weights_are_rank0s", "dp_weight_gradient_mean",
                            "dp_missing_gradient_counts_as_zero", "dp_log_means", "dp_nonfinite_flagged_everywhere",
                            "dp_unused_everywhere_keeps_no_gradient"]
        let norms = ["syncbn", "syncsn"].flatMap { n in ["forward", "running_statistics", "input_gradient", "parameter_gradients"].map { "\(n)_\($0)" } }
        let unequal = ["forward", "running_statistics", "input_gradient"].map { "syncbn_unequal_sizes_\($0)" }
        return collectives + dataParallel + norms + unequal
    }()

    static func checkAllPassed(_ output: String, ranks: Int) {
        let lines = output.split(separator: "\n").filter { $0.hasPrefix("{\"rank\"") }
        #expect(lines.count == ranks, "\(output)")
        for rank in 0..<ranks {
            let line = lines.first { $0.hasPrefix("{\"rank\": \(rank),") }
            #expect(line?.contains("\"size\": \(ranks)") == true && line?.contains("false") == false, "rank \(rank): \(line ?? "missing")")
            for check in Self.checks {
                #expect(line?.contains("\"\(check)\": true") == true, "rank \(rank) \(check)")
            }
        }
    }

    @Test func collectivesOverSharedMemory() throws {
        let result = try Self.run(ranks: 2, [], extraEnvironment: ["OMPI_MCA_btl": "self,vader"])
        #expect(result.status == 0, "\(result.output)")
        Self.checkAllPassed(result.output, ranks: 2)
    }

    @Test func collectivesOverTCPOnLoopback() throws {
        let result = try Self.run(ranks: 2, ["--elements", "1000003"],
                                  extraEnvironment: ["OMPI_MCA_btl": "self,tcp", "OMPI_MCA_btl_tcp_if_include": "lo"])
        #expect(result.status == 0, "\(result.output)")
        Self.checkAllPassed(result.output, ranks: 2)
    }

    /// Three ranks on two cores (oversubscribed): sums over three, gathers of three lengths.
    @Test func threeRanks() throws {
        let result = try Self.run(ranks: 3, ["--elements", "10007"])
        #expect(result.status == 0, "\(result.output)")
        Self.checkAllPassed(result.output, ranks: 3)
    }

    /// A rank that aborts, or exits without finishing, ends the whole job with an error in
    /// seconds; the others are not left waiting in a collective.
    @Test func aFailingRankEndsTheJob() throws {
        for args in [["--fail-rank", "1"], ["--exit-rank", "1"], ["--exit-rank", "0"]] {
            let result = try Self.run(ranks: 2, args, limit: 30)
            #expect(result.status != 0 && result.status != -1, "\(args): status \(result.status)\n\(result.output)")
            #expect(result.seconds < 20, "\(args): \(result.seconds) s")
        }
    }

    /// Outside mpirun: the job of one, every collective the identity.
    @Test func singleProcess() throws {
        let comm = SingleProcess()
        var values: [Float] = [1, 2, 3]
        try comm.allReduceSum(&values)
        #expect(comm.rank == 0 && comm.size == 1 && values == [1, 2, 3])
        #expect(try comm.broadcast([7, 8], root: 0) == [7, 8] && (try comm.gather([1], root: 0)) == [[1]])
        let alone = try Self.run(ranks: 1, ["--elements", "11"])
        #expect(alone.status == 0 && alone.output.contains("\"size\": 1"), "\(alone.output)")
    }
}
