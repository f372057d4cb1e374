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
                      DetectorBench.self])

    static func main() {
        BLASEnvironment.shortenSpinWait()
        main(nil)
    }
}
