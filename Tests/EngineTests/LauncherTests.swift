import Config
import Engine
import Foundation
import Testing
import TestSupport

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

    @Test func launchersSwiftDetDoesNotHaveAreNamedErrors() {
        for (launcher, text) in [("pytorch", "give --launcher mpi"), ("slurm", "inside a Slurm allocation mpirun"), ("mpich", "expected one of none, pytorch, slurm, mpi")] {
            #expect { _ = try Launcher.communicator(launcher, tool: "train", [:]) } throws: { "\($0)".contains(text) }
        }
        #expect { _ = try Launcher.communicator("mpi", tool: "test", ["WORLD_SIZE": "2"]) } throws: {
            "\($0)".contains("started by another launcher (WORLD_SIZE=2)") && "\($0)".contains("tools/dist_test.sh")
        }
        #expect { _ = try Launcher.communicator("none", tool: "train", ["OMPI_COMM_WORLD_SIZE": "2"]) } throws: {
            "\($0)".contains("Give --launcher mpi")
        }
        #expect(throws: Never.self) { _ = try Launcher.communicator("none", tool: "train", [:]) }
    }

    /// mmdetection's distributed keys are read in a run of one process too: good values build,
    /// a value SwiftDet does not honour is an error naming the key.
    @Test(arguments: [
        (["model_wrapper_cfg.type=MMDistributedDataParallel", "model_wrapper_cfg.bucket_cap_mb=10",
          "model_wrapper_cfg.find_unused_parameters=True", "model_wrapper_cfg.broadcast_buffers=False", "find_unused_parameters=True",
          "sync_bn=torch", "env_cfg.dist_cfg.backend=nccl", "env_cfg.dist_cfg.timeout=1800", "randomness.diff_rank_seed=True",
          "log_level=DEBUG"], nil),
        (["model_wrapper_cfg.broadcast_buffers=True"], "model_wrapper_cfg.broadcast_buffers"),
        (["model_wrapper_cfg.type=MMFullyShardedDataParallel"], "model_wrapper_cfg.type"),
        (["model_wrapper_cfg.bucket_cap_mb=0"], "model_wrapper_cfg.bucket_cap_mb"),
        (["model_wrapper_cfg.gradient_as_bucket_view=True"], "gradient_as_bucket_view"),
        (["sync_bn=apex"], "sync_bn"),
    ] as [([String], String?)])
    func distributedKeys(options: [String], error: String?) throws {
        let view = try ConfigFile.load(RunnerTests.demo, options: options)
        var run = RunOptions()
        run.echo = false
        if let error {
            #expect { _ = try Runner(config: view, configPath: RunnerTests.demo, options: run, logToFiles: false) } throws: {
                "\($0)".contains(error)
            }
        } else {
            #expect(throws: Never.self) { _ = try Runner(config: view, configPath: RunnerTests.demo, options: run, logToFiles: false) }
        }
    }
}
