/// Writes a merged config out: as JSON exactly as Python's `json.dumps(cfg.to_dict(),
/// indent=2, ensure_ascii=False)` does (tuples as lists, floats as Python's repr), or as a
/// Python config file that this module (and mmengine) reads back to the same value.
public enum ConfigDump {
    /// JSON text, without a trailing newline (as `json.dumps`).
    public static func json(_ dict: ConfigDict, indent: Int = 2) -> String {
        var out = ""
        writeJSON(.dict(dict), level: 0, indent: indent, into: &out)
        return out
    }

    /// JSON text of any value.
    public static func json(_ value: ConfigValue, indent: Int = 2) -> String {
        var out = ""
        writeJSON(value, level: 0, indent: indent, into: &out)
        return out
    }

    private static func writeJSON(_ value: ConfigValue, level: Int, indent: Int, into out: inout String) {
        switch value {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else { out += PythonNumbers.repr(d) }
        case .string(let s): jsonString(s, into: &out)
        case .list(let items), .tuple(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (n, item) in items.enumerated() {
                out += n == 0 ? "\n" : ",\n"
                out += String(repeating: " ", count: (level + 1) * indent)
                writeJSON(item, level: level + 1, indent: indent, into: &out)
            }
            out += "\n" + String(repeating: " ", count: level * indent) + "]"
        case .dict(let dict):
            guard !dict.isEmpty else { out += "{}"; return }
            out += "{"
            for (n, (key, item)) in dict.enumerated() {
                out += n == 0 ? "\n" : ",\n"
                out += String(repeating: " ", count: (level + 1) * indent)
                jsonString(key, into: &out)
                out += ": "
                writeJSON(item, level: level + 1, indent: indent, into: &out)
            }
            out += "\n" + String(repeating: " ", count: level * indent) + "}"
        }
    }

    /// Python's JSON string escaping with `ensure_ascii=False`.
    static func jsonString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// A Python config file: one `key = value` per top-level key, long values spread over
    /// lines. Throws for what a config file cannot say: a top-level key that is not an
    /// identifier (or is a keyword, `dict`, a reserved key), or a NaN/infinite float.
    public static func python(_ dict: ConfigDict, width: Int = 100) throws -> String {
        var out = ""
        for (key, value) in dict {
            guard PythonRepr.isKeywordName(key), key != "dict", key != "_base_", !key.hasPrefix("__"),
                  !PyEvaluator.reservedKeys.contains(key) else {
                throw ConfigError(.dump, "top-level key '\(key)' cannot be written as a Python config assignment")
            }
            try checkFinite(value, path: [.key(key)])
            out += key + " = "
            writePython(value, prefix: key.count + 3, level: 0, width: width, into: &out)
            out += "\n"
        }
        return out
    }

    private static func checkFinite(_ value: ConfigValue, path: [ConfigPath.Segment]) throws {
        switch value {
        case .double(let d) where !d.isFinite:
            throw ConfigError(.dump, "\(ConfigPath.render(path)): \(PythonNumbers.repr(d)) has no literal in a config file")
        case .list(let items), .tuple(let items):
            for (i, item) in items.enumerated() { try checkFinite(item, path: path + [.index(i)]) }
        case .dict(let dict):
            for (key, item) in dict { try checkFinite(item, path: path + [.key(key)]) }
        default: break
        }
    }

    /// Writes `value` inline when it fits in `width` columns after `prefix` columns, else one
    /// element per line, indented by four spaces per level.
    private static func writePython(_ value: ConfigValue, prefix: Int, level: Int, width: Int, into out: inout String) {
        let inline = PythonRepr.inline(value)
        let containers: Bool = {
            switch value {
            case .list(let x), .tuple(let x): return !x.isEmpty
            case .dict(let d): return !d.isEmpty
            default: return false
            }
        }()
        if !containers || prefix + inline.count <= width {
            out += inline
            return
        }
        let pad = String(repeating: " ", count: (level + 1) * 4)
        var entries: [(label: String, value: ConfigValue)] = []
        let open: String, close: String
        switch value {
        case .list(let items):
            (open, close) = ("[", "]")
            entries = items.map { ("", $0) }
        case .tuple(let items):
            (open, close) = ("(", ")")
            entries = items.map { ("", $0) }
        case .dict(let dict):
            let call = dict.keys.allSatisfy(PythonRepr.isKeywordName)
            (open, close) = call ? ("dict(", ")") : ("{", "}")
            entries = dict.map { (call ? $0.key + "=" : PythonRepr.string($0.key) + ": ", $0.value) }
        default:
            return
        }
        out += open + "\n"
        for entry in entries {
            out += pad + entry.label
            writePython(entry.value, prefix: pad.count + entry.label.count, level: level + 1, width: width, into: &out)
            out += ",\n"
        }
        out += String(repeating: " ", count: level * 4) + close
    }
}
