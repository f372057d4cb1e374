import Engine
import Testing

/// A process that a launcher started as one of several is refused (it would train alone on
/// everything and write the same files as the others); alone, or a job of one, it runs.
@Suite struct LauncherTests {
    @Test func severalProcessesAreRefusedByName() {
        #expect(Launcher.jobSize([:]) == nil && Launcher.jobSize(["OMPI_COMM_WORLD_SIZE": "1"]) == nil)
        #expect(Launcher.jobSize(["OMPI_COMM_WORLD_SIZE": "2"])! == (2, "OMPI_COMM_WORLD_SIZE"))
        #expect(Launcher.jobSize(["WORLD_SIZE": "8"])! == (8, "WORLD_SIZE") && Launcher.jobSize(["SLURM_NTASKS": "4"])! == (4, "SLURM_NTASKS"))
        #expect(throws: Never.self) { try Launcher.checkSingleProcess(tool: "train", ["HOME": "/root"]) }
        #expect { try Launcher.checkSingleProcess(tool: "train", ["OMPI_COMM_WORLD_SIZE": "2"]) } throws: {
            "\($0)".contains("train was started as one of 2 processes (OMPI_COMM_WORLD_SIZE=2)")
        }
    }
}
