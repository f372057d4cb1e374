import Foundation

/// `_base_ = 'mmdet::_base_/models/faster-rcnn_r50_fpn.py'`: bases from an installed package.
/// mmengine reads them from mmdetection's installed `configs/`; SwiftDet reads them from its own
/// `configs/` tree, which mirrors mmdetection's layout. As in mmengine, every outermost dict with
/// a `type` in such a base gets `_scope_='mmdet'`.
public enum PackageConfigs {
    /// SwiftDet's `configs/` folder: `$SWIFTDET_CONFIGS`, else the `configs` of the SwiftDet
    /// checkout that holds the running program, else of the current folder or one above it.
    public static func locate(environment: [String: String]) -> String? {
        if let dir = environment["SWIFTDET_CONFIGS"], !dir.isEmpty { return dir }
        var starts: [String] = []
        if let program = CommandLine.arguments.first, !program.isEmpty {
            starts.append(PathUtil.dirname(URL(fileURLWithPath: program).resolvingSymlinksInPath().path))
        }
        starts.append(FileManager.default.currentDirectoryPath)
        for start in starts {
            var dir = start
            for _ in 0..<12 {
                let candidate = dir + "/configs"
                if FileManager.default.fileExists(atPath: candidate + "/_base_"),
                   FileManager.default.fileExists(atPath: dir + "/Package.swift") {
                    return candidate
                }
                let parent = PathUtil.dirname(dir)
                if parent == dir || parent.isEmpty { break }
                dir = parent
            }
        }
        return nil
    }

    /// The file a `pkg::path` base names, or nil for an ordinary path.
    static func resolve(_ written: String, roots: [String: String], at location: ConfigLocation) throws -> (path: String, scope: String)? {
        guard let range = written.range(of: "::") else { return nil }
        let scope = String(written[..<range.lowerBound])
        let relative = String(written[range.upperBound...])
        guard scope == "mmdet" else {
            throw ConfigError(.base,
                "base config '\(written)': package '\(scope)' is not available; SwiftDet reads mmdet:: bases from its own configs/ tree only (give a file path instead)",
                at: location)
        }
        guard let root = roots[scope] else {
            throw ConfigError(.base,
                "base config '\(written)': SwiftDet's configs/ folder was not found (looked above the program and the current folder); set SWIFTDET_CONFIGS=/path/to/SwiftDet/configs",
                at: location)
        }
        let path = PathUtil.normalize(PathUtil.join(root, relative))
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(.base,
                "base config '\(written)': SwiftDet's configs tree has no \(relative) (looked for \(path)); copy mmdetection's configs/\(relative) there, or give a file path",
                at: location)
        }
        return (path, scope)
    }

    /// mmengine's `_dict_to_config_dict(cfg, scope)`: `_scope_` on each outermost dict that
    /// has a `type` (unless it has a scope already), nothing below it.
    static func addScope(_ value: ConfigValue, _ scope: String, hasScope: Bool) -> ConfigValue {
        switch value {
        case .dict(var dict):
            var below = hasScope
            if hasScope && dict.contains("type") {
                below = false
                if dict["_scope_"]?.isNone ?? true { dict["_scope_"] = .string(scope) }
            }
            return .dict(dict.mapValues { addScope($0, scope, hasScope: below) })
        case .list(let items): return .list(items.map { addScope($0, scope, hasScope: hasScope) })
        case .tuple(let items): return .tuple(items.map { addScope($0, scope, hasScope: hasScope) })
        default: return value
        }
    }
}
