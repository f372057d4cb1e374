/// `--cfg-options KEY=VALUE ...` as mmdetection's tools read them (mmengine's `DictAction`)
/// and apply them (`Config.merge_from_dict`, reference §1.3): dotted keys, digit segments that
/// index lists, and the value grammar: quotes stripped, spaces (U+0020 only) removed, `(..)` a
/// tuple (even `(1.0)`), `[..]` a list, bare `a,b` a list, brackets nesting; a word goes
/// through Python's `int()`, `float()`, `true`/`false` in any case, the exact word `None`,
/// else stays a string. Where mmengine loops forever (`(1,2),(3,4)`) this reads a list.
public enum CfgOptions {
    /// Bracket nesting and key-path length allowed in one option.
    public static let maxDepth = 200

    /// Splits one `KEY=VALUE` word (at the first `=`) and reads the value.
    public static func parse(_ word: String) throws -> (key: String, value: ConfigValue) {
        try LargeStack.run { try parseWord(word) }
    }

    /// `parse` on the current thread (callers are on a large stack already).
    static func parseWord(_ word: String) throws -> (key: String, value: ConfigValue) {
        guard let eq = word.firstIndex(of: "=") else {
            throw ConfigError(.option, "option '\(word)' has no '=' (expected KEY=VALUE)")
        }
        let key = String(word[..<eq])
        guard !key.isEmpty else {
            throw ConfigError(.option, "option '\(word)' has an empty key (expected KEY=VALUE)")
        }
        do {
            let text = String(word[word.index(after: eq)...])
            return (key, try parseIterable(Array(text.unicodeScalars)[...], depth: 0))
        } catch let error as ConfigError {
            throw ConfigError(.option, "\(error.message) (in the value of \(key))")
        }
    }

    /// The value grammar of `DictAction`.
    public static func parseValue(_ text: String) throws -> ConfigValue {
        try LargeStack.run { try parseIterable(Array(text.unicodeScalars)[...], depth: 0) }
    }

    private typealias Scalars = ArraySlice<Unicode.Scalar>

    private static func parseIterable(_ raw: Scalars, depth: Int) throws -> ConfigValue {
        guard depth <= maxDepth else {
            throw ConfigError(.limit, "value nested too deeply (more than \(maxDepth) brackets)")
        }
        var v = raw
        while let first = v.first, first == "'" || first == "\"" { v.removeFirst() }
        while let last = v.last, last == "'" || last == "\"" { v.removeLast() }
        v = Scalars(v.filter { $0 != " " })
        let text = String(String.UnicodeScalarView(v))
        let wrapped = try enclosingBracket(v, text)
        if wrapped == "(" || wrapped == "[" {
            let inner = v.dropFirst().dropLast()
            let items = try split(inner, text).map { try parseIterable($0, depth: depth + 1) }
            return wrapped == "(" ? .tuple(items) : .list(items)
        }
        if !v.contains(",") { return try scalar(text) }
        return .list(try split(v, text).map { try parseIterable($0, depth: depth + 1) })
    }

    /// "(" or "[" when the first character opens a bracket that the last one closes.
    private static func enclosingBracket(_ v: Scalars, _ text: String) throws -> Unicode.Scalar? {
        guard let first = v.first, first == "(" || first == "[", let last = v.last, last == (first == "(" ? ")" : "]") else {
            return nil
        }
        var depth = 0
        for (n, c) in v.enumerated() {
            if c == "(" || c == "[" { depth += 1 }
            if c == ")" || c == "]" { depth -= 1 }
            if depth == 0 { return n == v.count - 1 ? first : nil }
        }
        throw ConfigError(.option, "unbalanced brackets in '\(text)'")
    }

    /// Splits at the commas outside brackets; a trailing empty part is dropped.
    private static func split(_ v: Scalars, _ text: String) throws -> [Scalars] {
        var parts: [Scalars] = []
        var stack: [Unicode.Scalar] = []
        var start = v.startIndex
        for i in v.indices {
            switch v[i] {
            case "(", "[": stack.append(v[i])
            case ")", "]":
                guard let open = stack.popLast(), (open == "(") == (v[i] == ")") else {
                    throw ConfigError(.option, "unbalanced brackets in '\(text)'")
                }
            case "," where stack.isEmpty:
                parts.append(v[start..<i])
                start = i + 1
            default: break
            }
        }
        guard stack.isEmpty else { throw ConfigError(.option, "unbalanced brackets in '\(text)'") }
        parts.append(v[start...])
        if parts.last?.isEmpty == true { parts.removeLast() }
        return parts
    }

    /// `DictAction._parse_int_float_bool`. An integer past 64 bits (Python keeps it exact) is
    /// an error rather than a float.
    private static func scalar(_ text: String) throws -> ConfigValue {
        if let i = PythonNumbers.parseInt(text) { return .int(i) }
        if PythonNumbers.isIntLiteral(text) { throw ConfigError(.option, "integer \(text) does not fit in 64 bits") }
        if let d = PythonNumbers.parseFloat(text) { return .double(d) }
        switch text.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: return text == "None" ? .none : .string(text)
        }
    }

    /// The nested dict `merge_from_dict` builds from the options (later words win; a key
    /// keeps the position of its first word).
    static func optionTree(_ words: [String]) throws -> ConfigDict {
        var options = ConfigDict()
        for word in words {
            let (key, value) = try parseWord(word)
            options[key] = value
        }
        var tree = ConfigDict()
        for (fullKey, value) in options {
            let keys = fullKey.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard keys.count <= maxDepth else {
                throw ConfigError(.limit, "option key '\(fullKey.prefix(60))...' has more than \(maxDepth) parts")
            }
            try insert(value, at: keys[...], into: &tree, fullKey: fullKey)
        }
        return tree
    }

    private static func insert(_ value: ConfigValue, at keys: ArraySlice<String>, into dict: inout ConfigDict, fullKey: String) throws {
        let key = keys.first!
        if keys.count == 1 {
            dict[key] = value
            return
        }
        var child: ConfigDict
        switch dict[key] {
        case nil: child = ConfigDict()
        case .dict(let existing)?: child = existing
        case let other?:
            throw ConfigError(.option, "option \(fullKey): '\(key)' was already given the value \(other.brief) by another option")
        }
        dict[key] = ConfigValue.none
        try insert(value, at: keys.dropFirst(), into: &child, fullKey: fullKey)
        dict[key] = .dict(child)
    }

    /// Applies `--cfg-options` words to a merged config.
    public static func apply(_ words: [String], to config: ConfigDict) throws -> ConfigDict {
        try LargeStack.run {
            let tree = try optionTree(words)
            var merge = ConfigMerge(locate: { _ in nil }, baseName: { _ in nil })
            merge.allowListKeys = true
            merge.childName = "the option"
            return try merge.merge(tree, into: config)
        }
    }
}
