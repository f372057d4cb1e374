/// Python's conversions between numbers and text: `int(s)` and `float(s)` as `--cfg-options`
/// uses them, and `repr(x)` of a float as `json.dumps` and config dumps write it.
public enum PythonNumbers {
    /// `int(s)`: optional surrounding whitespace, a sign, decimal digits with single `_`
    /// between digits (leading zeros allowed). Nil when Python would refuse it, or when the
    /// value does not fit in 64 bits.
    public static func parseInt(_ text: String) -> Int? {
        guard let (negative, digits) = intLiteral(text) else { return nil }
        guard let magnitude = UInt64(digits) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else { return nil }
            return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        guard magnitude <= UInt64(Int.max) else { return nil }
        return Int(magnitude)
    }

    /// Whether Python's `int(s)` reads `text` (of any size).
    public static func isIntLiteral(_ text: String) -> Bool { intLiteral(text) != nil }

    /// The sign and the digits (separators dropped) of an `int(s)` text, nil when Python would
    /// refuse it.
    private static func intLiteral(_ text: String) -> (negative: Bool, digits: String)? {
        let s = Array(stripped(text).utf8)
        var i = 0
        var negative = false
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
            negative = s[i] == UInt8(ascii: "-")
            i += 1
        }
        guard let digits = digitRun(s, &i), i == s.count else { return nil }
        return (negative, digits)
    }

    /// `float(s)`: whitespace, sign, `1`, `1.`, `.5`, `1.5e-3`, `1_000.5`, `inf`, `infinity`,
    /// `nan` (any case).
    public static func parseFloat(_ text: String) -> Double? {
        let body = stripped(text)
        let s = Array(body.utf8)
        var i = 0
        var sign = 1.0
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
            if s[i] == UInt8(ascii: "-") { sign = -1 }
            i += 1
        }
        let word = String(decoding: s[i...], as: UTF8.self).lowercased()
        if word == "inf" || word == "infinity" { return sign * .infinity }
        if word == "nan" { return .nan }
        var clean = ""
        let intDigits = digitRun(s, &i)
        clean += intDigits ?? ""
        var fracDigits: String? = nil
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            fracDigits = digitRun(s, &i)
            clean += "." + (fracDigits ?? "")
        }
        guard intDigits != nil || fracDigits != nil else { return nil }
        if i < s.count, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i += 1
            var expSign = ""
            if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
                expSign = String(UnicodeScalar(s[i]))
                i += 1
            }
            guard let exp = digitRun(s, &i) else { return nil }
            clean += "e" + expSign + exp
        }
        guard i == s.count else { return nil }
        if clean.hasPrefix(".") { clean = "0" + clean }
        return Double(clean).map { sign * $0 }
    }

    /// Digits with single underscores between them, from `i`; nil when there is none.
    private static func digitRun(_ s: [UInt8], _ i: inout Int) -> String? {
        var out: [UInt8] = []
        while i < s.count {
            let c = s[i]
            if c >= 0x30 && c <= 0x39 {
                out.append(c)
            } else if c == UInt8(ascii: "_"), !out.isEmpty, i + 1 < s.count, s[i + 1] >= 0x30, s[i + 1] <= 0x39 {
                // a separator between digits
            } else {
                break
            }
            i += 1
        }
        return out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
    }

    /// Python strips Unicode whitespace around numbers in `int()` / `float()`.
    private static func stripped(_ text: String) -> Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = text.firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = text.lastIndex(where: { !isSpace($0) })!
        return text[start...end]
    }

    /// `repr(x)` of a Python float: the shortest digits that read back as `x`, in fixed
    /// notation when the decimal exponent is in [-4, 16), else `d.ddde±XX`; `inf`, `nan`.
    public static func repr(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        // Below 2^53 and without an exponent, Swift's shortest text is Python's repr already.
        let swiftText = x.description
        if x.magnitude < 9_007_199_254_740_992, !swiftText.utf8.contains(UInt8(ascii: "e")) { return swiftText }
        let (negative, digits, decimalPoint) = shortestDigits(x)
        let sign = negative ? "-" : ""
        if decimalPoint > -4 && decimalPoint <= 16 {
            if decimalPoint <= 0 {
                return sign + "0." + String(repeating: "0", count: -decimalPoint) + digits
            }
            if decimalPoint >= digits.count {
                return sign + digits + String(repeating: "0", count: decimalPoint - digits.count) + ".0"
            }
            let cut = digits.index(digits.startIndex, offsetBy: decimalPoint)
            return sign + digits[..<cut] + "." + digits[cut...]
        }
        let exponent = decimalPoint - 1
        var mantissa = String(digits.first!)
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let expText = String(abs(exponent))
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (expText.count < 2 ? "0" + expText : expText)
    }

    /// The shortest round-trip digits of `x` (from Swift's own shortest formatting) and the
    /// position of the decimal point: x = 0.DIGITS × 10^decimalPoint.
    static func shortestDigits(_ x: Double) -> (negative: Bool, digits: String, decimalPoint: Int) {
        var text = x.description  // e.g. "-1.2345e-05", "100.0", "5e-324"
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0]), fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var point = intPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        if digits == "0" { point = 1 }
        return (negative, digits, point)
    }
}
