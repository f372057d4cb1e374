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

    /// `custom_imports`: mmengine imports these Python modules so that the types they register
    /// can be built. SwiftDet runs no Python: with `allow_failed_imports=True` it goes on with a
    /// warning, as mmengine does when an import fails; otherwise it is an error naming them.
    public static func checkCustomImports(_ config: ConfigView, warn: (String) -> Void = ConfigFile.standardError) throws {
        guard let c = try config.optionalView("custom_imports") else { return }
        try c.accept(["imports", "allow_failed_imports"])
        let modules = try c.value("imports")?.stringValue.map { [$0] } ?? c.strings("imports", default: [])
        guard !modules.isEmpty else { return }
        let names = modules.joined(separator: ", ")
        if try c.bool("allow_failed_imports", default: false) {
            warn("warning: custom_imports: \(names) not imported: SwiftDet runs no Python, so what they register is not available "
                + "(allow_failed_imports=True: going on without them, as mmengine does when an import fails)")
            return
        }
        throw c.error("imports",
            "custom_imports asks for the Python modules \(names): SwiftDet runs no Python, so the types they register are not "
                + "available (remove custom_imports, or set allow_failed_imports=True to go on without them)")
    }

    public static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
