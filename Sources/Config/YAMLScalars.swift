import Foundation

/// PyYAML's reading of YAML 1.1 scalars (mmengine loads YAML with PyYAML): plain scalars
/// become bools (`yes`, `No`, `on`, `OFF`, ...), nulls (`~`, `null`, empty), ints (`0x1F`,
/// `010` octal, `0b1`, `1_000`, `1:30` base 60), floats (`1.0e-3`, `.5`, `1.`, `.inf`) or
/// strings; notably `1e-3` (no dot) and `-.5` stay strings. Tags `!!str`, `!!int`, `!!float`,
/// `!!bool`, `!!null` are honoured.
enum YAMLScalars {
    /// The value of a plain (unquoted, untagged) scalar.
    static func resolvePlain(_ text: String) -> ConfigValue? {
        let s = Array(text.utf8)
        guard let first = s.first else { return ConfigValue.none }
        if "yYnNtTfFoO".utf8.contains(first), let b = bool(text) { return .bool(b) }
        if "-+0123456789.".utf8.contains(first), isFloat(s) { return float(text) }
        if "-+0123456789".utf8.contains(first), isInt(s) { return int(text) }
        if ["~", "null", "Null", "NULL"].contains(text) { return ConfigValue.none }
        if text == "<<" { return nil }  // merge key: unsupported
        if isTimestamp(s) { return nil }
        return .string(text)
    }

    /// Why `resolvePlain` gave nil for `text`.
    static func unsupportedReason(_ text: String) -> String {
        if text == "<<" { return "YAML merge keys (<<) are not supported in config files" }
        if isInt(Array(text.utf8)) { return "integer '\(text)' does not fit in 64 bits" }
        return "YAML timestamps ('\(text)') are not supported in config files; quote it to keep a string"
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    // MARK: - Recognisers (PyYAML's implicit resolver expressions, by hand)

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// `[0-9][0-9_]*` etc.: how many bytes from `i` satisfy `ok`.
    private static func run(_ s: [UInt8], _ i: Int, _ ok: (UInt8) -> Bool) -> Int {
        var j = i
        while j < s.count, ok(s[j]) { j += 1 }
        return j - i
    }

    private static func skipSign(_ s: [UInt8]) -> Int {
        s.first == UInt8(ascii: "-") || s.first == UInt8(ascii: "+") ? 1 : 0
    }

    /// `[eE][-+][0-9]+` at `i` (the sign is required in YAML 1.1); returns the end.
    private static func exponent(_ s: [UInt8], _ i: Int) -> Int? {
        guard i < s.count, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") else { return nil }
        guard i + 1 < s.count, s[i + 1] == UInt8(ascii: "-") || s[i + 1] == UInt8(ascii: "+") else { return nil }
        let n = run(s, i + 2, isDigit)
        return n > 0 ? i + 2 + n : nil
    }

    static func isFloat(_ s: [UInt8]) -> Bool {
        let digitOrUnderscore: (UInt8) -> Bool = { isDigit($0) || $0 == UInt8(ascii: "_") }
        let text = String(decoding: s, as: UTF8.self)
        if [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"].contains(text) {
            return true
        }
        // \.[0-9][0-9_]*([eE][-+][0-9]+)?
        if s.first == UInt8(ascii: "."), s.count > 1, isDigit(s[1]) {
            let end = 1 + run(s, 1, digitOrUnderscore)
            return end == s.count || exponent(s, end) == s.count
        }
        let sign = skipSign(s)
        guard sign < s.count, isDigit(s[sign]) else { return false }
        let intEnd = sign + run(s, sign, digitOrUnderscore)
        // [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?
        if intEnd < s.count, s[intEnd] == UInt8(ascii: ".") {
            let fracEnd = intEnd + 1 + run(s, intEnd + 1, digitOrUnderscore)
            return fracEnd == s.count || exponent(s, fracEnd) == s.count
        }
        // [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
        var i = intEnd
        var groups = 0
        while let end = sexagesimalGroup(s, i) {
            i = end
            groups += 1
        }
        guard groups > 0, i < s.count, s[i] == UInt8(ascii: ".") else { return false }
        return i + 1 + run(s, i + 1, digitOrUnderscore) == s.count
    }

    /// `:[0-5]?[0-9]` at `i`; returns the end.
    private static func sexagesimalGroup(_ s: [UInt8], _ i: Int) -> Int? {
        guard i < s.count, s[i] == UInt8(ascii: ":") else { return nil }
        let n = run(s, i + 1, isDigit)
        if n == 1 { return i + 2 }
        if n >= 2, s[i + 1] <= UInt8(ascii: "5") { return i + 3 }
        return nil
    }

    static func isInt(_ s: [UInt8]) -> Bool {
        let sign = skipSign(s)
        let body = Array(s[sign...])
        guard let first = body.first else { return false }
        let has = { (prefix: String) in body.starts(with: Array(prefix.utf8)) }
        if has("0b") { return body.count > 2 && run(body, 2) { $0 == 0x30 || $0 == 0x31 || $0 == 0x5F } == body.count - 2 }
        if has("0x") { return body.count > 2 && run(body, 2) { isDigit($0) || "abcdefABCDEF_".utf8.contains($0) } == body.count - 2 }
        if first == UInt8(ascii: "0") {
            return body.count == 1 || run(body, 1) { ($0 >= 0x30 && $0 <= 0x37) || $0 == 0x5F } == body.count - 1
        }
        guard isDigit(first) else { return false }
        let end = run(body, 0) { isDigit($0) || $0 == 0x5F }
        if end == body.count { return true }
        var i = end
        var groups = 0
        while let next = sexagesimalGroup(body, i) {
            i = next
            groups += 1
        }
        return groups > 0 && i == body.count
    }

    /// `2001-12-14` and date-times: PyYAML makes datetime objects, which a config cannot hold.
    private static func isTimestamp(_ s: [UInt8]) -> Bool {
        guard s.count >= 8, s.prefix(4).allSatisfy(isDigit), s[4] == UInt8(ascii: "-") else { return false }
        let rest = String(decoding: s[5...], as: UTF8.self)
        let parts = rest.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[0].allSatisfy(\.isNumber) else { return false }
        let day = parts[1].prefix { $0.isNumber }
        return (1...2).contains(day.count) && (day.count == parts[1].count || "Tt \t".contains(parts[1][day.endIndex]))
    }

    // MARK: - Constructors

    static func int(_ text: String) -> ConfigValue? {
        var value = text.replacingOccurrences(of: "_", with: "")
        var sign = 1
        if value.hasPrefix("-") { sign = -1 }
        if value.hasPrefix("-") || value.hasPrefix("+") { value.removeFirst() }
        let magnitude: Int?
        if value == "0" {
            magnitude = 0
        } else if value.hasPrefix("0b") {
            magnitude = Int(value.dropFirst(2), radix: 2)
        } else if value.hasPrefix("0x") {
            magnitude = Int(value.dropFirst(2), radix: 16)
        } else if value.hasPrefix("0") {
            magnitude = Int(value, radix: 8)
        } else if value.contains(":") {
            var total = 0
            for part in value.split(separator: ":") {
                guard let digit = Int(part) else { return nil }
                let (shifted, o1) = total.multipliedReportingOverflow(by: 60)
                let (sum, o2) = shifted.addingReportingOverflow(digit)
                guard !o1, !o2 else { return nil }
                total = sum
            }
            magnitude = total
        } else {
            magnitude = Int(value)
        }
        return magnitude.map { .int(sign * $0) }
    }

    static func float(_ text: String) -> ConfigValue? {
        var value = text.replacingOccurrences(of: "_", with: "").lowercased()
        var sign = 1.0
        if value.hasPrefix("-") { sign = -1 }
        if value.hasPrefix("-") || value.hasPrefix("+") { value.removeFirst() }
        if value == ".inf" { return .double(sign * .infinity) }
        if value == ".nan" { return .double(.nan) }
        if value.contains(":") {
            var total = 0.0
            for part in value.split(separator: ":") {
                guard let digit = Double(part) else { return nil }
                total = total * 60 + digit
            }
            return .double(sign * total)
        }
        guard let parsed = PythonNumbers.parseFloat(value) else { return nil }
        return .double(sign * parsed)
    }
}
