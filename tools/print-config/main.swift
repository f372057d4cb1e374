import ArgumentParser
import Config
import Foundation

/// Prints a merged config, like mmdetection's tools/misc/print_config.py.
struct PrintConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print-config",
        abstract: "Print a config file after _base_ inheritance, placeholders and --cfg-options.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case py, json
    }

    @Argument(help: "The config file (.py, .yaml, .yml or .json).")
    var config: String

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption,
            help: "Overrides KEY=VALUE (a.b.c=v, list indices as path parts, [a,b] lists, (a,b) tuples).")
    var cfgOptions: [String] = []

    @Option(help: "Output format: py (a Python config file) or json (as mmengine's to_dict() dumped by json).")
    var format: Format = .py

    func run() throws {
        do {
            let view = try ConfigLoader().load(file: config, options: cfgOptions)
            switch format {
            case .json: print(ConfigDump.json(view.dict))
            case .py: print(try ConfigDump.python(view.dict), terminator: "")
            }
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode.failure
        }
    }
}

PrintConfig.main()
