/// An insertion-ordered dictionary from string keys to config values, like a Python dict:
/// assigning to an existing key keeps its position, a new key goes last.
public struct ConfigDict: Sendable {
    public private(set) var keys: [String] = []
    public private(set) var values: [ConfigValue] = []
    private var index: [String: Int] = [:]

    public init() {}

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public func contains(_ key: String) -> Bool { index[key] != nil }

    /// Reads a key (nil when absent); assigning nil removes the key.
    public subscript(key: String) -> ConfigValue? {
        get { index[key].map { values[$0] } }
        set {
            if let value = newValue {
                if let i = index[key] {
                    values[i] = value
                } else {
                    index[key] = keys.count
                    keys.append(key)
                    values.append(value)
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Removes a key and returns its value; the other keys keep their order.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> ConfigValue? {
        guard let i = index[key] else { return nil }
        let value = values[i]
        keys.remove(at: i)
        values.remove(at: i)
        index[key] = nil
        for j in i..<keys.count { index[keys[j]] = j }
        return value
    }

    /// Keeps only the entries for which `keep` returns true, in order.
    public func filter(_ keep: (String, ConfigValue) throws -> Bool) rethrows -> ConfigDict {
        var out = ConfigDict()
        for (key, value) in self where try keep(key, value) { out[key] = value }
        return out
    }

    /// Applies `transform` to every value, keeping keys and order.
    public func mapValues(_ transform: (ConfigValue) throws -> ConfigValue) rethrows -> ConfigDict {
        var out = self
        for i in 0..<values.count { out.values[i] = try transform(values[i]) }
        return out
    }
}

extension ConfigDict: Sequence {
    public func makeIterator() -> AnyIterator<(key: String, value: ConfigValue)> {
        var i = 0
        return AnyIterator {
            guard i < keys.count else { return nil }
            defer { i += 1 }
            return (keys[i], values[i])
        }
    }
}

extension ConfigDict: Equatable {
    /// Equal keys in the same order with strictly equal values.
    public static func == (lhs: ConfigDict, rhs: ConfigDict) -> Bool {
        lhs.keys == rhs.keys && lhs.values == rhs.values
    }
}

extension ConfigDict: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        for (key, value) in elements { self[key] = value }
    }
}
