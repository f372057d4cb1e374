import Config

/// Config mutations for the tests that every typed dict is checked: where the `type` keys are,
/// and a dict with one key changed.
public enum ConfigMutation {
    /// Paths (dict keys and list indices) of every dict with a string `type` inside `value`.
    public static func typePaths(_ value: ConfigValue, _ path: [String] = []) -> [[String]] {
        switch value {
        case .dict(let d):
            var out: [[String]] = []
            if case .string? = d["type"] { out.append(path) }
            for (key, v) in d { out += typePaths(v, path + [key]) }
            return out
        case .list(let items), .tuple(let items):
            return items.enumerated().flatMap { typePaths($0.element, path + ["[\($0.offset)]"]) }
        default:
            return []
        }
    }

    /// `value` with `key` set to `newValue` in the dict at `path`.
    public static func setting(_ key: String, to newValue: ConfigValue, in value: ConfigValue, at path: ArraySlice<String>) -> ConfigValue {
        switch value {
        case .dict(var d):
            guard let first = path.first else { d[key] = newValue; return .dict(d) }
            d[first] = setting(key, to: newValue, in: d[first]!, at: path.dropFirst())
            return .dict(d)
        case .list(var items), .tuple(var items):
            let i = Int(path.first!.dropFirst().dropLast())!
            items[i] = setting(key, to: newValue, in: items[i], at: path.dropFirst())
            return isTuple(value) ? .tuple(items) : .list(items)
        default:
            return value
        }
    }

    /// "model.roi_head.bbox_head" / "model.x[0].y" as errors write key paths.
    public static func render(_ path: [String]) -> String {
        path.reduce("") { $1.hasPrefix("[") ? $0 + $1 : ($0.isEmpty ? $1 : $0 + "." + $1) }
    }

    private static func isTuple(_ value: ConfigValue) -> Bool { if case .tuple = value { return true } else { return false } }
}
