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

/// Single-value mutations for the test that no numeric or list value of a config traps:
/// every number and list in a config, and the config with one of them replaced.
public enum ValueMutation: Sendable, CustomStringConvertible {
    case zero, minusOne, huge, floatForInt, emptyList, wrongLength

    /// Paths of every int, float, list and tuple inside `value` (bools are not numbers here),
    /// with the value found there.
    public static func valuePaths(_ value: ConfigValue, _ path: [String] = []) -> [([String], ConfigValue)] {
        switch value {
        case .dict(let d):
            return d.flatMap { valuePaths($0.value, path + [$0.key]) }
        case .list(let items), .tuple(let items):
            return [(path, value)] + items.enumerated().flatMap { valuePaths($0.element, path + ["[\($0.offset)]"]) }
        case .int, .double:
            return [(path, value)]
        default:
            return []
        }
    }

    /// The mutations that apply to `value`.
    public static func applicable(to value: ConfigValue) -> [ValueMutation] {
        switch value {
        case .int: return [.zero, .minusOne, .huge, .floatForInt]
        case .double: return [.zero, .minusOne, .huge]
        case .list, .tuple: return [.emptyList, .wrongLength]
        default: return []
        }
    }

    /// The replacement for `value`.
    public func replacing(_ value: ConfigValue) -> ConfigValue {
        switch (self, value) {
        case (.zero, .double): return .double(0)
        case (.zero, _): return .int(0)
        case (.minusOne, .double): return .double(-1)
        case (.minusOne, _): return .int(-1)
        case (.huge, .double): return .double(1e30)
        case (.huge, _): return .int(1_000_000_000)
        case (.floatForInt, .int(let i)): return .double(Double(i) + 0.5)
        case (.emptyList, .tuple): return .tuple([])
        case (.emptyList, _): return .list([])
        case (.wrongLength, .list(let items)): return .list(Self.otherLength(items))
        case (.wrongLength, .tuple(let items)): return .tuple(Self.otherLength(items))
        default: return value
        }
    }

    /// One entry fewer, or (for one entry) the entry twice.
    private static func otherLength(_ items: [ConfigValue]) -> [ConfigValue] {
        items.count > 1 ? Array(items.dropLast()) : items + items
    }

    public var description: String {
        switch self {
        case .zero: return "0"
        case .minusOne: return "-1"
        case .huge: return "huge"
        case .floatForInt: return "float for int"
        case .emptyList: return "empty list"
        case .wrongLength: return "wrong length"
        }
    }

    /// `value` with the value at `path` replaced by `newValue`.
    public static func replacing(at path: ArraySlice<String>, with newValue: ConfigValue, in value: ConfigValue) -> ConfigValue {
        guard let first = path.first else { return newValue }
        switch value {
        case .dict(var d):
            guard let inner = d[first] else { return value }
            d[first] = replacing(at: path.dropFirst(), with: newValue, in: inner)
            return .dict(d)
        case .list(var items), .tuple(var items):
            guard let i = Int(first.dropFirst().dropLast()), items.indices.contains(i) else { return value }
            items[i] = replacing(at: path.dropFirst(), with: newValue, in: items[i])
            if case .tuple = value { return .tuple(items) }
            return .list(items)
        default:
            return value
        }
    }
}
