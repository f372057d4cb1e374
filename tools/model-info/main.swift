import ArgumentParser
import Config
import Foundation
import Models
import NN

/// `model-info CONFIG [--cfg-options k=v ...] [--json]`: every state-dict key of the model a
/// config builds, with its shape and whether it trains, then the parameter totals.
@main
struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-info", abstract: "List a detector's state-dict keys, shapes and parameter counts.")

    @Argument(help: "Config file (.py, .yaml, .json).")
    var config: String

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Overrides key=value (mmdetection syntax).")
    var cfgOptions: [String] = []

    @Flag(help: "Print JSON: {\"keys\": [[key, [shape], trainable], ...], \"params_total\": N, \"params_trainable\": N}.")
    var json = false

    func run() throws {
        do {
            let view = try ConfigLoader().load(file: config, options: cfgOptions)
            let model = try ModelRegistry.detectors.build(try view.view("model"))
            let entries = model.stateDict()
            let params = model.namedParameters()
            let total = params.reduce(0) { $0 + $1.1.count }
            let trainable = params.filter { $0.1.requiresGrad }.reduce(0) { $0 + $1.1.count }
            if json {
                let keys: [[Any]] = entries.map { [$0.key, $0.tensor.shape, $0.isParameter && $0.tensor.requiresGrad] }
                let obj: [String: Any] = ["keys": keys, "params_total": total, "params_trainable": trainable]
                let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                for e in entries {
                    let kind = e.isParameter ? (e.tensor.requiresGrad ? "trainable" : "frozen") : "buffer"
                    print("\(e.key) \(e.tensor.shape) \(kind)")
                }
                print("params-total: \(total)")
                print("params-trainable: \(trainable)")
            }
        } catch let error as CustomStringConvertible & Error {
            FileHandle.standardError.write(Data("model-info: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}
