import ArgumentParser
import Config
import Foundation

/// `bench config`: time to load and merge the largest config fixture tree (8 files, 4 levels of
/// `_base_`), the full `ConfigLoader.load` path. Prints the median over repetitions.
struct ConfigBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Config parse + merge time (median ms) on the largest fixture tree.")

    @Option(help: "Config file to load (default: the fixture tree 13-two-stage).")
    var config: String = ConfigBench.defaultConfig

    @Option(help: "Number of timed loads.")
    var repetitions: Int = 50

    static var defaultConfig: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Fixtures/config/trees/13-two-stage/main.py").path
    }

    func run() throws {
        let loader = ConfigLoader()
        _ = try loader.load(file: config)  // warm the file cache
        var times: [Double] = []
        for _ in 0..<max(1, repetitions) {
            let start = DispatchTime.now().uptimeNanoseconds
            let view = try loader.load(file: config)
            let end = DispatchTime.now().uptimeNanoseconds
            precondition(!view.dict.isEmpty)
            times.append(Double(end - start) / 1e6)
        }
        times.sort()
        let median = times[times.count / 2]
        print(String(format: "config-parse-ms: %.3f", median))
    }
}
