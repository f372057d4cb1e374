/// A table from type strings to builders, in the manner of mmengine's `Registry` (reference
/// §2) with one scope: `build` takes the dict's `type`, fills default arguments, and calls
/// the builder with the remaining keys. An `mmdet.` prefix and a `_scope_` key are accepted and
/// ignored. Registering is one entry in a table, with no global state:
///
///     static let models = Registry<Module>("MODELS", [
///         "ResNet": { try ResNet(config: $0) },
///     ])
///
/// A builder reads its arguments through `ConfigView` and calls `accept([...])` (or is
/// registered with `accepts:`) so that unknown keys are errors naming the key and the type.
public struct Registry<T>: Sendable {
    public typealias Builder = @Sendable (ConfigView) throws -> T

    private struct Entry: Sendable {
        let builder: Builder
        let accepted: [String]?
    }

    /// The registry's name for messages ("MODELS").
    public let name: String
    private var entries: [String: Entry] = [:]
    /// Type names in registration order (for listings and suggestions).
    public private(set) var typeNames: [String] = []

    public init(_ name: String) {
        self.name = name
    }

    /// A registry from a table literal; a name listed twice is a programmer error.
    public init(_ name: String, _ table: KeyValuePairs<String, Builder>) {
        self.name = name
        for (type, builder) in table { register(type, builder) }
    }

    /// Adds a type. With `accepts`, keys outside the list are refused before the builder runs.
    public mutating func register(_ type: String, accepts: [String]? = nil, _ builder: @escaping Builder) {
        if entries[type] != nil { fatalError("\(name): type '\(type)' registered twice") }
        entries[type] = Entry(builder: builder, accepted: accepts)
        typeNames.append(type)
    }

    public func contains(_ type: String) -> Bool { entries[Self.unscoped(type)] != nil }

    /// Builds from a dict value found at `path` of the config `source` (for messages).
    public func build(_ value: ConfigValue, at path: [ConfigPath.Segment] = [], source: String, defaults: ConfigDict = [:]) throws -> T {
        guard case .dict(let dict) = value else {
            throw ConfigError(.registry, "\(ConfigPath.render(path)): expected a dict with a 'type' for \(name), got \(value.shownInMessage) (\(source))")
        }
        return try build(ConfigView(dict: dict, path: path, source: source), defaults: defaults)
    }

    /// Builds from a config dict: `type` picks the builder, `defaults` fills absent keys
    /// (mmengine's `default_args`), `_scope_` is dropped.
    public func build(_ config: ConfigView, defaults: ConfigDict = [:]) throws -> T {
        var args = config.dict
        for (key, value) in defaults where !args.contains(key) { args[key] = value }
        args.removeValue(forKey: "_scope_")
        guard let typeValue = args.removeValue(forKey: "type") else {
            throw ConfigError(.registry, "\(config.keyPath): missing 'type' (the \(name) type to build) (\(config.source))")
        }
        guard case .string(let written) = typeValue else {
            throw ConfigError(.registry, "\(config.keyPath).type: expected a type name string, got \(typeValue.shownInMessage) (\(config.source))")
        }
        let type = Self.unscoped(written)
        guard let entry = entries[type] else {
            var message = "\(config.keyPath): unknown \(name) type '\(written)'"
            let guesses = Suggestions.closest(to: type, among: typeNames, limit: 3)
            if !guesses.isEmpty {
                message += " (did you mean \(guesses.joined(separator: ", "))?)"
            } else if typeNames.count <= 12 {
                message += " (SwiftDet has \(typeNames.joined(separator: ", ")))"
            }
            throw ConfigError(.registry, message + " (\(config.source))")
        }
        let view = ConfigView(dict: args, path: config.path, source: config.source, typeName: type)
        if let accepted = entry.accepted { try view.accept(accepted) }
        do {
            return try entry.builder(view)
        } catch let error as ConfigError {
            throw error
        } catch {
            // A builder's own error (a layer too large for memory, an unreadable checkpoint):
            // said with the key path of the dict that was being built.
            throw ConfigError(.registry, "\(config.keyPath) (\(type)): \(error) (\(config.source))")
        }
    }

    /// `mmdet.ResNet` is `ResNet`: there is one scope.
    static func unscoped(_ type: String) -> String {
        type.hasPrefix("mmdet.") ? String(type.dropFirst("mmdet.".count)) : type
    }
}
