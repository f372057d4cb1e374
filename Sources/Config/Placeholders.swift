/// `{{_base_.a.b}}` placeholders of one file. While the file is read each placeholder stands
/// as a token string; once the file has run, every token is replaced by the value at `a.b` in
/// the merged bases (as mmengine does, so a placeholder sees `_base_` writes made later in the
/// file). Unlike mmengine, tokens stored into `_base_` by a write are resolved too, and a token
/// that ended up inside a longer string is an error instead of garbage.
struct PlaceholderTable {
    struct Entry {
        let path: [String]
        /// Offset in the parsed text (for messages).
        let offset: Int
    }

    private(set) var entries: [Entry] = []

    private static let marker = "swiftdet-base-ref-"

    /// Registers a placeholder and returns its token.
    mutating func add(path: [String], offset: Int) -> String {
        entries.append(Entry(path: path, offset: offset))
        return "\u{0}\(Self.marker)\(entries.count - 1)\u{0}"
    }

    /// The token written into YAML/JSON text: a double-quoted string with escaped NULs, which
    /// both formats decode to the token itself.
    static func quotedForData(_ token: String) -> String {
        "\"" + token.replacingNUL(with: "\\u0000") + "\""
    }

    /// The entry index when `text` is exactly a token.
    static func index(ofToken text: String) -> Int? {
        guard text.hasPrefix("\u{0}\(marker)"), text.hasSuffix("\u{0}"), text.utf8.count > marker.utf8.count + 2 else { return nil }
        let digits = text.dropFirst(marker.count + 1).dropLast()
        return Int(digits)
    }

    /// True when `text` holds a token (or its escaped form) but is not exactly one.
    static func isEmbedded(_ text: String) -> Bool {
        text.contains(marker) && index(ofToken: text) == nil
    }

    /// Replaces every token in `value` by the base value it names. `base` is the merged base
    /// as it stands after the file ran; values found there are resolved in turn.
    func resolve(_ value: ConfigValue, base: ConfigDict, source: SourceText) throws -> ConfigValue {
        if entries.isEmpty { return value }
        var remaining = 2 * PyLimits.maxValueSize
        return try resolve(value, base: base, source: source, active: [], remaining: &remaining)
    }

    /// `remaining` bounds the parts visited and built: placeholders copy base values, so
    /// `[{{_base_.x}}] * 400000` must not build 400,000 copies.
    private func resolve(
        _ value: ConfigValue, base: ConfigDict, source: SourceText, active: Set<Int>, remaining: inout Int
    ) throws -> ConfigValue {
        remaining -= 1
        if remaining < 0 {
            throw ConfigError(.limit,
                "placeholders expand this file's values to more than \(2 * PyLimits.maxValueSize) parts: configs are not this large",
                at: .file(source.file))
        }
        switch value {
        case .string(let s):
            if let i = Self.index(ofToken: s), i < entries.count {
                guard !active.contains(i) else {
                    throw source.error(.placeholder, "\(render(i)) refers to itself through a _base_ write", at: entries[i].offset)
                }
                let found = try lookup(i, in: base, source: source)
                return try resolve(found, base: base, source: source, active: active.union([i]), remaining: &remaining)
            }
            if Self.isEmbedded(s) {
                let i = embeddedEntry(in: s)
                throw source.error(.placeholder,
                    "\(render(i)) inside a string is not substituted; a placeholder must be a whole value (write _base_.\(entries[i].path.joined(separator: ".")) + '...')",
                    at: entries[i].offset)
            }
            return value
        case .list(let items):
            var out: [ConfigValue] = []
            for item in items { out.append(try resolve(item, base: base, source: source, active: active, remaining: &remaining)) }
            return .list(out)
        case .tuple(let items):
            var out: [ConfigValue] = []
            for item in items { out.append(try resolve(item, base: base, source: source, active: active, remaining: &remaining)) }
            return .tuple(out)
        case .dict(let dict):
            for key in dict.keys where Self.index(ofToken: key) != nil || Self.isEmbedded(key) {
                throw ConfigError(.placeholder, "a {{_base_...}} placeholder cannot be a dict key", at: .file(source.file))
            }
            var out = dict
            for (key, item) in dict { out[key] = try resolve(item, base: base, source: source, active: active, remaining: &remaining) }
            return .dict(out)
        default:
            return value
        }
    }

    /// The entry whose token (raw or escaped) occurs in `text`; the first entry otherwise.
    private func embeddedEntry(in text: String) -> Int {
        for i in entries.indices {
            let token = "\(Self.marker)\(i)"
            if text.contains(token + "\u{0}") || text.contains(token + "\\u0000") { return i }
        }
        return 0
    }

    private func render(_ i: Int) -> String {
        "{{_base_.\(entries[i].path.joined(separator: "."))}}"
    }

    private func lookup(_ i: Int, in base: ConfigDict, source: SourceText) throws -> ConfigValue {
        let path = entries[i].path
        var current = ConfigValue.dict(base)
        for (depth, key) in path.enumerated() {
            let walked = path[..<depth].joined(separator: ".")
            guard case .dict(let dict) = current else {
                throw source.error(.placeholder,
                    "\(render(i)): _base_.\(walked) is a \(current.typeName), not a dict (a placeholder path names dict keys only)",
                    at: entries[i].offset)
            }
            guard let next = dict[key] else {
                let missing = (path[..<depth] + [key]).joined(separator: ".")
                let has = dict.keys.isEmpty ? "nothing" : dict.keys.joined(separator: ", ")
                let owner = depth == 0 ? "the bases have" : "\(walked) has"
                throw source.error(.placeholder,
                    "\(render(i)): the bases have no '\(missing)' (\(owner): \(has))", at: entries[i].offset)
            }
            current = next
        }
        return current
    }
}

extension String {
    fileprivate func replacingNUL(with replacement: String) -> String {
        var out = ""
        for scalar in unicodeScalars {
            if scalar == "\u{0}" { out += replacement } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
