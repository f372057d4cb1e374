import Config
import Foundation

/// Loads a config file and applies `--cfg-options` (the tools' shared first step).
public enum ConfigFile {
    public static func load(_ path: String, options: [String] = []) throws -> ConfigView {
        guard FileManager.default.fileExists(atPath: path) else { throw RunnerError("config \(path): no such file") }
        var view = try ConfigLoader().load(file: path)
        if !options.isEmpty { view = ConfigView(dict: try CfgOptions.apply(options, to: view.dict), source: view.source) }
        return view
    }

    /// mmdetection's `--resume` takes an optional value: a bare `--resume` (last, or before
    /// another option) means `auto`. Inserts it so the argument parser sees a value.
    public static func normalizeResume(_ arguments: [String]) -> [String] {
        var out: [String] = []
        for (i, a) in arguments.enumerated() {
            out.append(a)
            if a == "--resume", i + 1 == arguments.count || arguments[i + 1].hasPrefix("--") { out.append("auto") }
        }
        return out
    }

    /// Prints `tool: error: ...` for any error and exits 1 (never a trap or a stack dump).
    public static func fail(_ tool: String, _ error: Error) -> Never {
        let text = String(describing: error)
        FileHandle.standardError.write(Data("\(tool): error: \(text)\n".utf8))
        exit(1)
    }
}
