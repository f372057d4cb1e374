/// Python source text of config values: `repr` of strings and floats as Python writes them,
/// `dict(k=v)` where every key is an identifier (`{'k': v}` otherwise), `(x,)` for 1-tuples.
/// Used by messages and by `ConfigDump.python`.
enum PythonRepr {
    /// One-line text; non-finite floats come out as `inf`/`nan` (messages only).
    static func inline(_ value: ConfigValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    /// Python's own `repr(x)` (dicts always as `{'k': v}`): what `str()`, f-strings and
    /// `%r` give inside a config.
    static func python(_ value: ConfigValue) -> String {
        var out = ""
        write(value, into: &out, braces: true)
        return out
    }

    static func write(_ value: ConfigValue, into out: inout String, braces: Bool = false) {
        switch value {
        case .none: out += "None"
        case .bool(let b): out += b ? "True" : "False"
        case .int(let i): out += String(i)
        case .double(let d): out += PythonNumbers.repr(d)
        case .string(let s): out += string(s)
        case .list(let items): writeItems(items, "[", "]", oneTupleComma: false, braces: braces, into: &out)
        case .tuple(let items): writeItems(items, "(", ")", oneTupleComma: true, braces: braces, into: &out)
        case .dict(let dict):
            if !braces && dict.keys.allSatisfy(isKeywordName) {
                out += "dict("
                for (n, (key, v)) in dict.enumerated() {
                    if n > 0 { out += ", " }
                    out += key + "="
                    write(v, into: &out)
                }
                out += ")"
            } else {
                out += "{"
                for (n, (key, v)) in dict.enumerated() {
                    if n > 0 { out += ", " }
                    out += string(key) + ": "
                    write(v, into: &out, braces: braces)
                }
                out += "}"
            }
        }
    }

    private static func writeItems(_ items: [ConfigValue], _ open: String, _ close: String, oneTupleComma: Bool, braces: Bool,
                                   into out: inout String) {
        out += open
        for (n, item) in items.enumerated() {
            if n > 0 { out += ", " }
            write(item, into: &out, braces: braces)
        }
        if oneTupleComma && items.count == 1 { out += "," }
        out += close
    }

    /// Whether `key` can be written as `key=` in `dict(...)`: an ASCII identifier that is not
    /// a Python keyword.
    static func isKeywordName(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        let ok = key.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
        return ok && !PyKeywords.hard.contains(key)
    }

    /// Python's `repr(str)`: single quotes unless the text has a single quote and no double
    /// quote; backslash escapes for the quote, `\\`, `\n`, `\r`, `\t` and non-printable
    /// characters; printable non-ASCII stays as it is.
    static func string(_ s: String) -> String {
        let quote: Character = s.unicodeScalars.contains("'") && !s.unicodeScalars.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += escaped(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        if scalar.value < 0x100 { return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex }
        if scalar.value < 0x10000 { return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex }
        return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Python's `str.isprintable` for one character: not a control, format, surrogate,
    /// private-use, unassigned or separator character (the space excepted).
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
             .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }
}
