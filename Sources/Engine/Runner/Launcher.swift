import Foundation

/// How a training or test process was started, as mmengine's `infer_launcher` reads it from
/// the environment: by Open MPI's mpirun (`OMPI_COMM_WORLD_SIZE`), by torch's launcher
/// (`WORLD_SIZE`) or by Slurm (`SLURM_NTASKS`), each naming how many processes the job has.
public enum Launcher {
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
        throw RunnerError("\(tool) was started as one of \(size) processes (\(variable)=\(size)) but runs in one process: "
            + "each would \(tool) alone on the whole data set and write the same files. Data-parallel runs over MPI are "
            + "not available yet; start one process")
    }
}
