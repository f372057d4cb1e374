import Config
import Foundation

/// The tools' shared steps: the config with `--cfg-options`, `--resume`'s optional value, errors.
public enum ConfigFile {
    /// `ConfigLoader.load(file:options:)` (the one config loader), for the Engine tools.
    public static func load(_ path: String, options: [String] = []) throws -> ConfigView {
        try ConfigLoader().load(file: path, options: options)
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

    /// Prints `tool: error: ...` for any error (`tool: FILE:LINE:COL: error: ...` for a config
    /// error, which names its place itself) and exits 1 (never a trap or a stack dump).
    public static func fail(_ tool: String, _ error: Error) -> Never {
        FileHandle.standardError.write(Data("\(failureLine(tool, error))\n".utf8))
        exit(1)
    }

    /// The line `fail` prints: one `error:` whether or not the error's text starts with one.
    public static func failureLine(_ tool: String, _ error: Error) -> String {
        let text = String(describing: error)
        return error is ConfigError || text.hasPrefix("error: ") ? "\(tool): \(text)" : "\(tool): error: \(text)"
    }
}
