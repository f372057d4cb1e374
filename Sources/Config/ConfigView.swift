/// A dict of a config together with where it sits (its key path and the config file), for
/// typed access whose errors say exactly what is wrong and where:
/// `model.roi_head.bbox_head.num_classes: expected int, got str "80" (configs/x.py)`.
/// Builders (`init(config:)`) read their arguments through it and call `accept(_:)` once to
/// refuse keys they do not know.
public struct ConfigView: Sendable {
    public let dict: ConfigDict
    public let path: [ConfigPath.Segment]
    /// The config file the values came from (for messages).
    public let source: String
    /// The registered type this dict is being built as (set by `Registry.build`).
    public let typeName: String?

    public init(dict: ConfigDict, path: [ConfigPath.Segment] = [], source: String, typeName: String? = nil) {
        self.dict = dict
        self.path = path
        self.source = source
        self.typeName = typeName
    }

    /// The same dict, marked as being built as `typeName`.
    public func building(_ typeName: String) -> ConfigView {
        ConfigView(dict: dict, path: path, source: source, typeName: typeName)
    }

    public var keyPath: String { ConfigPath.render(path) }

    public func contains(_ key: String) -> Bool { dict.contains(key) }
    public func value(_ key: String) -> ConfigValue? { dict[key] }

    /// An error about `key` of this dict.
    public func error(_ key: String?, _ message: String) -> ConfigError {
        let where_ = key.map { ConfigPath.render(path + [.key($0)]) } ?? keyPath
        return ConfigError(.value, "\(where_): \(message) (\(source))")
    }

    /// Refuses keys outside `accepted` (mmengine would fail on the unexpected keyword).
    public func accept(_ accepted: [String]) throws {
        for key in dict.keys where !accepted.contains(key) {
            var message = "unknown key '\(key)'"
            if let typeName { message += " for \(typeName)" }
            if let guess = Suggestions.closest(to: key, among: accepted) { message += " (did you mean '\(guess)'?)" }
            throw ConfigError(.registry, "\(keyPath): \(message) (\(source))")
        }
    }

    // MARK: - Required values

    /// The value at `key`; a missing key is an error.
    public func required(_ key: String) throws -> ConfigValue {
        guard let v = dict[key] else {
            throw error(key, "missing required key" + (typeName.map { " for \($0)" } ?? ""))
        }
        return v
    }

    public func int(_ key: String) throws -> Int { try convert(key, "int", try required(key), ConfigView.asInt) }
    public func double(_ key: String) throws -> Double { try convert(key, "float", try required(key)) { $0.doubleValue } }
    public func bool(_ key: String) throws -> Bool { try convert(key, "bool", try required(key)) { $0.boolValue } }
    public func string(_ key: String) throws -> String { try convert(key, "str", try required(key)) { $0.stringValue } }
    public func ints(_ key: String) throws -> [Int] { try sequence(key, try required(key), "int", ConfigView.asInt) }
    public func doubles(_ key: String) throws -> [Double] { try sequence(key, try required(key), "float") { $0.doubleValue } }
    public func strings(_ key: String) throws -> [String] { try sequence(key, try required(key), "str") { $0.stringValue } }

    /// The dict at `key`, as a view one level down.
    public func view(_ key: String) throws -> ConfigView {
        let d = try convert(key, "dict", try required(key)) { $0.dictValue }
        return ConfigView(dict: d, path: path + [.key(key)], source: source)
    }

    /// The list (or tuple) of dicts at `key` (a pipeline, a list of hooks), as views.
    public func views(_ key: String) throws -> [ConfigView] {
        let value = try required(key)
        guard let items = value.elements else { throw mismatch(key, "list of dicts", value) }
        return try items.enumerated().map { i, item in
            guard case .dict(let d) = item else {
                throw ConfigError(.value, "\(ConfigPath.render(path + [.key(key), .index(i)])): expected dict, got \(item.shownInMessage) (\(source))")
            }
            return ConfigView(dict: d, path: path + [.key(key), .index(i)], source: source)
        }
    }

    // MARK: - Values with defaults (used when the key is absent)

    public func int(_ key: String, default d: Int) throws -> Int { contains(key) ? try int(key) : d }
    public func double(_ key: String, default d: Double) throws -> Double { contains(key) ? try double(key) : d }
    public func bool(_ key: String, default d: Bool) throws -> Bool { contains(key) ? try bool(key) : d }
    public func string(_ key: String, default d: String) throws -> String { contains(key) ? try string(key) : d }
    public func ints(_ key: String, default d: [Int]) throws -> [Int] { contains(key) ? try ints(key) : d }
    public func doubles(_ key: String, default d: [Double]) throws -> [Double] { contains(key) ? try doubles(key) : d }
    public func strings(_ key: String, default d: [String]) throws -> [String] { contains(key) ? try strings(key) : d }

    // MARK: - Optional values (absent or None gives nil)

    public func optionalInt(_ key: String) throws -> Int? { isNoneOrAbsent(key) ? nil : try int(key) }
    public func optionalDouble(_ key: String) throws -> Double? { isNoneOrAbsent(key) ? nil : try double(key) }
    public func optionalString(_ key: String) throws -> String? { isNoneOrAbsent(key) ? nil : try string(key) }
    public func optionalView(_ key: String) throws -> ConfigView? { isNoneOrAbsent(key) ? nil : try view(key) }

    private func isNoneOrAbsent(_ key: String) -> Bool { dict[key]?.isNone ?? true }

    // MARK: - Conversion

    /// Ints only: a float such as 2.0 is not an int (Python would keep it a float).
    private static func asInt(_ v: ConfigValue) -> Int? { v.intValue }

    private func convert<T>(_ key: String, _ expected: String, _ v: ConfigValue, _ get: (ConfigValue) -> T?) throws -> T {
        guard let t = get(v) else { throw mismatch(key, expected, v) }
        return t
    }

    private func sequence<T>(_ key: String, _ v: ConfigValue, _ expected: String, _ get: (ConfigValue) -> T?) throws -> [T] {
        guard let items = v.elements else { throw mismatch(key, "list of \(expected)", v) }
        return try items.enumerated().map { i, item in
            guard let t = get(item) else {
                throw ConfigError(.value, "\(ConfigPath.render(path + [.key(key), .index(i)])): expected \(expected), got \(item.shownInMessage) (\(source))")
            }
            return t
        }
    }

    private func mismatch(_ key: String, _ expected: String, _ v: ConfigValue) -> ConfigError {
        error(key, "expected \(expected), got \(v.shownInMessage)")
    }
}
