import Autograd
import Distributed
import Engine
import Foundation
import Kernels
import NN

/// `dist-check [--fail-rank R] [--exit-rank R] [--elements N]`, run under
/// `mpirun.openmpi -np N`: each rank runs every collective of `Communicator` on values it can
/// predict and prints one JSON line `{"rank": r, "size": n, "checks": {name: ok}}`; a check that
/// does not hold exits with status 1. `--fail-rank R` makes rank R abort the job before the
/// collectives (MPI_Abort); `--exit-rank R` makes it exit without a word (a crashed process):
/// either way the job must end with an error, not wait in a collective.
func main() -> Int32 {
    var failRank: Int?, exitRank: Int?, elements = 3_000_001
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let a = args.next() {
        switch a {
        case "--fail-rank": failRank = args.next().flatMap(Int.init)
        case "--exit-rank": exitRank = args.next().flatMap(Int.init)
        case "--elements": elements = args.next().flatMap(Int.init) ?? elements
        default:
            FileHandle.standardError.write(Data("dist-check: unknown argument \(a)\n".utf8))
            return 2
        }
    }
    do {
        let comm: any Communicator = MPICommunicator.launchedByMPIRun || ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil
            ? try MPICommunicator() : SingleProcess()
        let r = comm.rank, n = comm.size
        if failRank == r {
            FileHandle.standardError.write(Data("dist-check: rank \(r) aborts the job\n".utf8))
            comm.abort(code: 3)
        }
        if exitRank == r {
            FileHandle.standardError.write(Data("dist-check: rank \(r) exits\n".utf8))
            exit(4)
        }
        var checks: [String: Bool] = [:]
        // Sums of what each rank can compute for every rank: value i of rank q is (q + 1) * (i % 7 + 1).
        var floats = (0..<elements).map { Float((r + 1) * ($0 % 7 + 1)) }
        try comm.allReduceSum(&floats)
        let ranks = Float(n * (n + 1) / 2)
        checks["allreduce_float"] = floats.indices.allSatisfy { floats[$0] == ranks * Float($0 % 7 + 1) }
        var doubles = [Double(r) + 0.25, -Double(r)]
        try comm.allReduceSum(&doubles)
        checks["allreduce_double"] = doubles == [Double(n * (n - 1) / 2) + 0.25 * Double(n), -Double(n * (n - 1) / 2)]
        var maxima = [Double(r), -Double(r)]
        try comm.allReduceMax(&maxima)
        checks["allreduce_max"] = maxima == [Double(n - 1), 0]
        let root = n - 1
        let sent = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ root) }
        let got = try comm.broadcast(r == root ? sent : [], root: root)
        checks["broadcast"] = got == sent
        let parts = try comm.gather([UInt8](repeating: UInt8(r), count: 3 * r + 1), root: 0)
        if r == 0 {
            checks["gather"] = parts?.count == n && parts!.enumerated().allSatisfy { $0.element == [UInt8](repeating: UInt8($0.offset), count: 3 * $0.offset + 1) }
        } else {
            checks["gather"] = parts == nil
        }
        try checkDataParallel(comm, into: &checks)
        try checkSyncNorms(comm, into: &checks)
        try comm.barrier()
        let line = "{\"rank\": \(r), \"size\": \(n), \"checks\": {"
            + checks.keys.sorted().map { "\"\($0)\": \(checks[$0]!)" }.joined(separator: ", ") + "}}"
        print(line)
        if comm is MPICommunicator { MPICommunicator.finalize() }
        return checks.values.allSatisfy { $0 } ? 0 : 1
    } catch {
        FileHandle.standardError.write(Data("dist-check: \(error)\n".utf8))
        return 1
    }
}

/// DataParallel on a small layer: each rank starts from its own weights (seed rank + 1); after
/// the broadcast all hold rank 0's; gradients and log values come back as the mean over the
/// ranks (rank 0 has no bias gradient: zeros there), and a NaN on one rank flags every rank.
func checkDataParallel(_ comm: any Communicator, into checks: inout [String: Bool]) throws {
    let r = comm.rank, n = comm.size
    func layer(seed: UInt64) throws -> Linear {
        let l = try Linear(5, 3)
        var rng = SeededGenerator(seed: seed)
        l.resetParameters(using: &rng)
        return l
    }
    let model = try layer(seed: UInt64(r + 1)), reference = try layer(seed: 1)
    let dp = DataParallel(model: model, communicator: comm, bucketCapMB: 0.00002)  // 5-element buckets
    checks["dp_replicas_differ_before"] = try n == 1 || !dp.replicasAgree(model)
    try dp.broadcastState(of: model)
    checks["dp_replicas_agree"] = try dp.replicasAgree(model)
    checks["dp_weights_are_rank0s"] = model.weight.scalars == reference.weight.scalars && model.bias!.scalars == reference.bias!.scalars
    model.weight.grad = Tensor(shape: [3, 5], (0..<15).map { Float((r + 1) * ($0 + 1)) })
    model.bias!.grad = r == 0 ? nil : Tensor(shape: [3], [Float](repeating: Float(r), count: 3))
    var logs = [Double(r), 2]
    let flagged = try dp.averageGradients(logValues: &logs)
    let weight = model.weight.grad!.scalars, bias = model.bias!.grad?.scalars
    func close(_ a: Float, _ b: Double) -> Bool { abs(Double(a) - b) <= 1e-6 * max(1, abs(b)) }
    checks["dp_weight_gradient_mean"] = weight.indices.allSatisfy { close(weight[$0], Double($0 + 1) * Double(n + 1) / 2) }
    // Rank 0 has no bias gradient: zeros in the mean, or no gradient when no rank has one.
    checks["dp_missing_gradient_counts_as_zero"] = n == 1
        ? bias == nil : bias?.allSatisfy { close($0, Double(n * (n - 1) / 2) / Double(n)) } == true
    checks["dp_log_means"] = !flagged && abs(logs[0] - Double(n - 1) / 2) < 1e-6 && abs(logs[1] - 2) < 1e-6
    var bad = [1.0, r == n - 1 ? .nan : 1.0]
    checks["dp_nonfinite_flagged_everywhere"] = try dp.averageGradients(logValues: &bad)
    model.bias!.grad = nil
    var none: [Double] = []
    _ = try dp.averageGradients(logValues: &none)
    checks["dp_unused_everywhere_keeps_no_gradient"] = model.bias!.grad == nil && model.weight.grad != nil
}

exit(main())
