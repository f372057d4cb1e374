import Distributed
import Foundation

/// How a training or test process was started, as mmengine's `infer_launcher` reads it from
/// the environment: by Open MPI's mpirun (`OMPI_COMM_WORLD_SIZE`), by torch's launcher
/// (`WORLD_SIZE`) or by Slurm (`SLURM_NTASKS`), each naming how many processes the job has;
/// and the `--launcher` choice of the train and test tools.
public enum Launcher {
    /// The `--launcher` values mmdetection's tools take; SwiftDet runs `none` and `mpi`.
    public static let choices = ["none", "pytorch", "slurm", "mpi"]

    /// The job size a launcher set in `environment`, and the variable that says it (nil for
    /// a process started alone).
    public static func jobSize(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> (size: Int, variable: String)? {
        for variable in ["OMPI_COMM_WORLD_SIZE", "WORLD_SIZE", "SLURM_NTASKS"] {
            if let text = environment[variable], let size = Int(text), size > 1 { return (size, variable) }
        }
        return nil
    }

    /// An error when this process is one of several a launcher started: each would train (or
    /// test) alone on the whole data set and write the same files, which is never what the
    /// user meant. mmengine does exactly that with `--launcher none`; SwiftDet refuses.
    public static func checkSingleProcess(tool: String, _ environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let (size, variable) = jobSize(environment) else { return }
        throw RunnerError("\(tool) was started as one of \(size) processes (\(variable)=\(size)) with --launcher none: "
            + "each would \(tool) alone on the whole data set and write the same files. Give --launcher mpi "
            + "(tools/dist_\(tool).sh starts the processes with mpirun), or start one process")
    }

    /// The processes of the job for `--launcher`: `none` a job of one (refused under a
    /// launcher of several processes), `mpi` Open MPI's MPI_COMM_WORLD (a job of one when the
    /// process was started alone). mmdetection's `pytorch` and `slurm` start processes that
    /// talk through torch.distributed, which SwiftDet does not have.
    public static func communicator(_ launcher: String, tool: String,
                                    _ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any Communicator {
        switch launcher {
        case "none":
            try checkSingleProcess(tool: tool, environment)
            return SingleProcess()
        case "mpi":
            if environment["OMPI_COMM_WORLD_SIZE"] == nil, let (size, variable) = jobSize(environment) {
                throw RunnerError("--launcher mpi: this process was started by another launcher (\(variable)=\(size)); "
                                  + "start the job with Open MPI's mpirun (tools/dist_\(tool).sh)")
            }
            return try MPICommunicator()
        case "pytorch", "slurm":
            throw RunnerError("--launcher \(launcher): SwiftDet's processes talk over MPI, not torch.distributed; give --launcher mpi "
                              + "and start them with Open MPI's mpirun (tools/dist_\(tool).sh; inside a Slurm allocation mpirun "
                              + "starts them on the allocated nodes)")
        default:
            throw RunnerError("--launcher \(launcher): expected one of \(choices.joined(separator: ", "))")
        }
    }

    /// The end of a successful run: every process of an MPI job leaves together.
    public static func finish(_ communicator: any Communicator) {
        if communicator is MPICommunicator { MPICommunicator.finalize() }
    }
}
