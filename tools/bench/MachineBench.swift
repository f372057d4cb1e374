import ArgumentParser

/// `bench machine`: only the header every benchmark prints (the BLAS kernel in use, the CPU
/// model and its vector features), for scripts that record where they ran.
struct MachineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "The BLAS kernel in use and the CPU (the header of every benchmark).")

    func run() {}
}
