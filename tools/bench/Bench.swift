import ArgumentParser
import Kernels

/// SwiftDet benchmarks: each subcommand times one part of the hot path against a reference
/// measured in the same run and prints the ratios. Adding a benchmark is one file declaring a
/// `ParsableCommand` plus its name in `subcommands` below.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks of SwiftDet kernels and ops against raw BLAS.",
        subcommands: [ConvBench.self, ResNet50Bench.self, ConfigBench.self, DetectionOpsBench.self, DataBench.self, CocoEvalBench.self,
                      DetectorBench.self, CheckpointBench.self, MachineBench.self, AllReduceBench.self])

    /// Every benchmark's output starts with the machine: the CPU model, the BLAS kernel in use
    /// (`blas-core:`, chosen before main by the BLAS set-up; see Kernels' BLASEnvironment).
    static func main() {
        if let first = CommandLine.arguments.dropFirst().first, !first.hasPrefix("-"), first != "help" {
            print(BLASEnvironment.summary)
            print("blas-core: \(BLASEnvironment.core)")
            print("cpu: \(BLASEnvironment.cpuModel) (\(BLASEnvironment.cpuFeatures))")
        }
        main(nil)
    }
}
