/// A value of a config: what a Python config file, a YAML/JSON file or `--cfg-options`
/// evaluates to (mmengine's `ConfigDict` contents). Tuples stay distinct from lists and ints
/// from floats, because mmengine keeps them apart and some consumers care.
public enum ConfigValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ConfigValue])
    case tuple([ConfigValue])
    case dict(ConfigDict)

    /// The Python type name, as used in messages ("expected int, got str").
    public var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        }
    }

    /// The elements of a list or a tuple.
    public var elements: [ConfigValue]? {
        switch self {
        case .list(let items), .tuple(let items): return items
        default: return nil
        }
    }

    public var isNone: Bool { if case .none = self { return true } else { return false } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var intValue: Int? { if case .int(let i) = self { return i } else { return nil } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var dictValue: ConfigDict? { if case .dict(let d) = self { return d } else { return nil } }

    /// A float, or an int widened to a float (Python accepts an int wherever a float is asked).
    public var doubleValue: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }

    /// A short rendering for messages: the Python repr, cut after 60 characters.
    public var brief: String {
        let text = PythonRepr.inline(self)
        return text.count <= 60 ? text : String(text.prefix(57)) + "..."
    }
}

extension ConfigValue: Equatable {
    /// Strict equality: 1 != 1.0, (1,) != [1], and dict key order matters.
    public static func == (lhs: ConfigValue, rhs: ConfigValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)): return a == b
        case (.dict(let a), .dict(let b)): return a == b
        default: return false
        }
    }
}

extension ConfigValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .none }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: ConfigValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        var dict = ConfigDict()
        for (key, value) in elements { dict[key] = value }
        self = .dict(dict)
    }
}

extension ConfigValue: CustomStringConvertible {
    /// The Python repr of the value (what a config file would say).
    public var description: String { PythonRepr.inline(self) }
}

extension ConfigValue {
    /// "string \"80\"", "int 3", "list [1, 2]": a value's kind and a short rendering.
    var shownInMessage: String {
        if case .string(let s) = self {
            var quoted = ""
            ConfigDump.jsonString(s.count <= 60 ? s : String(s.prefix(57)) + "...", into: &quoted)
            return "string \(quoted)"
        }
        if case .none = self { return "None" }
        return "\(typeName) \(brief)"
    }

    var isList: Bool { if case .list = self { return true } else { return false } }
}
