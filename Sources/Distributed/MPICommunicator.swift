import CMPI
import Foundation

/// `Communicator` over Open MPI's MPI_COMM_WORLD: the processes `mpirun` started. Only the
/// thread that created it calls MPI (MPI_THREAD_FUNNELED). MPI's default error handler stays:
/// a failing call or a dead peer ends the whole job (mpirun reports it) instead of hanging.
/// A process that exits without `finalize()` (an error path that calls exit) aborts the job
/// from its exit handler: MPI_Finalize there would wait for ranks that wait in a collective.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    /// The largest element count of one MPI call (counts are 32-bit); larger buffers go in pieces.
    static let chunk = 1 << 30

    nonisolated(unsafe) private static var initialized = false

    /// Initializes MPI (once per process) and reads this process's rank and the job's size.
    public init() throws {
        if !Self.initialized {
            var provided: Int32 = 0
            let rc = MPI_Init_thread(nil, nil, swiftdet_mpi_thread_funneled(), &provided)
            guard rc == swiftdet_mpi_success() else { throw DistributedError("MPI_Init_thread failed (error \(rc))") }
            Self.initialized = true
            atexit { MPICommunicator.abortUnlessFinalized() }
        }
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(swiftdet_mpi_comm_world(), &r)
        MPI_Comm_size(swiftdet_mpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
    }

    /// The end of a successful run on every rank: MPI_Finalize (which waits for all ranks).
    public static func finalize() {
        var done: Int32 = 0
        MPI_Finalized(&done)
        if initialized && done == 0 { MPI_Finalize() }
    }

    /// At exit: a process leaving without `finalize()` ends the whole job with status 1.
    private static func abortUnlessFinalized() {
        var done: Int32 = 0
        MPI_Finalized(&done)
        if initialized && done == 0 {
            FileHandle.standardError.write(Data("swiftdet: a process of the MPI job exits without finishing: ending the job\n".utf8))
            MPI_Abort(swiftdet_mpi_comm_world(), 1)
        }
    }

    /// Whether this process was started by Open MPI's mpirun with more than one process.
    public static var launchedByMPIRun: Bool {
        (ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init) ?? 1) > 1
    }

    private func check(_ rc: Int32, _ what: String) throws {
        guard rc == swiftdet_mpi_success() else { throw DistributedError("\(what) failed on rank \(rank) (MPI error \(rc))") }
    }

    public func barrier() throws { try check(MPI_Barrier(swiftdet_mpi_comm_world()), "MPI_Barrier") }

    private func allReduce(_ base: UnsafeMutableRawPointer?, count: Int, stride: Int, type: MPI_Datatype, op: MPI_Op,
                           _ what: String) throws {
        guard let base, count > 0 else { return }
        var done = 0
        while done < count {
            let n = min(Self.chunk, count - done)
            try check(MPI_Allreduce(swiftdet_mpi_in_place(), base + done * stride, Int32(n), type, op, swiftdet_mpi_comm_world()), what)
            done += n
        }
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        try allReduce(UnsafeMutableRawPointer(values.baseAddress), count: values.count, stride: 4, type: swiftdet_mpi_float(),
                      op: swiftdet_mpi_op_sum(), "MPI_Allreduce(sum, float)")
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {
        try allReduce(UnsafeMutableRawPointer(values.baseAddress), count: values.count, stride: 8, type: swiftdet_mpi_double(),
                      op: swiftdet_mpi_op_sum(), "MPI_Allreduce(sum, double)")
    }

    public func allReduceMax(_ values: UnsafeMutableBufferPointer<Double>) throws {
        try allReduce(UnsafeMutableRawPointer(values.baseAddress), count: values.count, stride: 8, type: swiftdet_mpi_double(),
                      op: swiftdet_mpi_op_max(), "MPI_Allreduce(max, double)")
    }

    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        guard (0..<size).contains(root) else { throw DistributedError("broadcast from rank \(root) in a job of \(size)") }
        guard let base = values.baseAddress else { return }
        var done = 0
        while done < values.count {
            let n = min(Self.chunk, values.count - done)
            try check(MPI_Bcast(base + done, Int32(n), swiftdet_mpi_float(), Int32(root), swiftdet_mpi_comm_world()), "MPI_Bcast(float)")
            done += n
        }
    }

    /// The root's length first, then its bytes in pieces of at most `chunk`.
    public func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8] {
        guard (0..<size).contains(root) else { throw DistributedError("broadcast from rank \(root) in a job of \(size)") }
        var length = [Int64(bytes.count)]
        try length.withUnsafeMutableBufferPointer { p in
            try check(MPI_Bcast(p.baseAddress, 1, swiftdet_mpi_int64(), Int32(root), swiftdet_mpi_comm_world()), "MPI_Bcast(length)")
        }
        var out = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        try out.withUnsafeMutableBytes { p in
            var done = 0
            while done < p.count {
                let n = min(Self.chunk, p.count - done)
                try check(MPI_Bcast(p.baseAddress! + done, Int32(n), swiftdet_mpi_byte(), Int32(root), swiftdet_mpi_comm_world()), "MPI_Bcast")
                done += n
            }
        }
        return out
    }

    /// Each rank's length to the root (MPI_Gather), then the bytes (MPI_Gatherv); all of them
    /// together must stay under 2 GiB (MPI's 32-bit displacements), or it is an error on every rank.
    public func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]]? {
        guard (0..<size).contains(root) else { throw DistributedError("gather to rank \(root) in a job of \(size)") }
        var lengths = [Int64](repeating: 0, count: size)
        var mine = [Int64(bytes.count)]
        try mine.withUnsafeMutableBufferPointer { m in
            try lengths.withUnsafeMutableBufferPointer { l in
                try check(MPI_Allgather(m.baseAddress, 1, swiftdet_mpi_int64(), l.baseAddress, 1, swiftdet_mpi_int64(),
                                        swiftdet_mpi_comm_world()), "MPI_Allgather(lengths)")
            }
        }
        let total = lengths.reduce(0, +)
        guard total < Int64(Int32.max) else {
            throw DistributedError("gather of \(total) bytes: at most 2 GiB in all (MPI's 32-bit displacements)")
        }
        let counts = lengths.map { Int32($0) }
        var displacements = [Int32](repeating: 0, count: size)
        for r in 1..<max(size, 1) { displacements[r] = displacements[r - 1] + counts[r - 1] }
        var all = [UInt8](repeating: 0, count: rank == root ? Int(total) : 0)
        try bytes.withUnsafeBytes { send in
            try all.withUnsafeMutableBytes { receive in
                try counts.withUnsafeBufferPointer { c in
                    try displacements.withUnsafeBufferPointer { d in
                        try check(MPI_Gatherv(send.baseAddress, Int32(bytes.count), swiftdet_mpi_byte(), receive.baseAddress, c.baseAddress,
                                              d.baseAddress, swiftdet_mpi_byte(), Int32(root), swiftdet_mpi_comm_world()), "MPI_Gatherv")
                    }
                }
            }
        }
        guard rank == root else { return nil }
        return (0..<size).map { r in Array(all[Int(displacements[r])..<(Int(displacements[r]) + Int(counts[r]))]) }
    }

    public func abort(code: Int32) -> Never {
        MPI_Abort(swiftdet_mpi_comm_world(), code)
        exit(code)
    }
}
