import Foundation

/// Python's format-spec mini-language (`format(x, spec)`, f-string fields, `str.format`):
/// `[[fill]align][sign][#][0][width][grouping][.precision][type]` for ints, floats, bools and
/// strings; other values take only an empty spec (their `str`).
enum PyFormatSpec {
    typealias Failure = ArithmeticError

    struct Spec {
        var fill: Character = " "
        var align: Character?
        /// The `0` flag without an alignment: `=` for numbers, `<` for strings.
        var zeroPadding = false
        var sign: Character = "-"
        var alternate = false
        var width = 0
        var grouping: Character?
        var precision: Int?
        var type: Character?
    }

    static func parse(_ text: String) throws(Failure) -> Spec {
        var spec = Spec()
        let c = text.unicodeScalars.map(Character.init)  // the fill is one code point, as in Python
        var i = 0
        let aligns: Set<Character> = ["<", ">", "^", "="]
        var fillGiven = false
        if c.count >= 2, aligns.contains(c[1]) {
            spec.fill = c[0]
            spec.align = c[1]
            fillGiven = true
            i = 2
        } else if let first = c.first, aligns.contains(first) {
            spec.align = first
            i = 1
        }
        if i < c.count, "+- ".contains(c[i]) {
            spec.sign = c[i]
            i += 1
        }
        if i < c.count, c[i] == "#" {
            spec.alternate = true
            i += 1
        }
        if i < c.count, c[i] == "0" {
            if !fillGiven { spec.fill = "0" }
            if spec.align == nil { spec.zeroPadding = true }
            i += 1
        }
        var width = ""
        while i < c.count, c[i].isASCII, c[i].isNumber { width.append(c[i]); i += 1 }
        if !width.isEmpty {
            guard let w = Int(width), w <= PyLimits.maxElements else { throw Failure("format width too large") }
            spec.width = w
        }
        if i < c.count, c[i] == "," || c[i] == "_" {
            spec.grouping = c[i]
            i += 1
        }
        if i < c.count, c[i] == "." {
            i += 1
            var digits = ""
            while i < c.count, c[i].isASCII, c[i].isNumber { digits.append(c[i]); i += 1 }
            guard let p = Int(digits), p <= 1000 else { throw Failure("format specifier missing or too large precision") }
            spec.precision = p
        }
        if i < c.count {
            spec.type = c[i]
            i += 1
        }
        guard i == c.count else { throw Failure("invalid format specifier '\(text)'") }
        return spec
    }

    /// `format(value, spec)`.
    static func format(_ o: PyObject, _ text: String) throws(Failure) -> String {
        guard case .value(let value) = o, !text.isEmpty else {
            guard text.isEmpty else { throw Failure("unsupported format string passed to \(o.typeName).__format__") }
            return PySemantics.str(o)
        }
        let spec = try parse(text)
        switch value {
        case .bool(let b): return try number(.int(b ? 1 : 0), spec)
        case .int(let i): return try number(.int(i), spec)
        case .double(let d): return try number(.double(d), spec)
        case .string(let s):
            guard spec.type == nil || spec.type == "s" else { throw Failure("unknown format code '\(spec.type!)' for object of type 'str'") }
            guard spec.sign == "-", spec.grouping == nil, !spec.alternate, spec.align != "=" else {
                throw Failure("invalid format specifier '\(text)' for a string")
            }
            var body = s
            if let p = spec.precision { body = String(body.unicodeScalars.prefix(p).map(Character.init)) }
            return pad(body, spec, defaultAlign: "<", signLength: 0)
        default:
            throw Failure("unsupported format string passed to \(value.typeName).__format__")
        }
    }

    private static func number(_ n: PyArithmetic.Number, _ spec: Spec) throws(Failure) -> String {
        var type = spec.type
        var magnitude: String
        var negative: Bool
        var prefix = ""
        if case .int = n, spec.precision != nil, type == nil || "dnbcoxX".contains(type!) {
            throw Failure("Precision not allowed in integer format specifier")
        }
        if spec.grouping == ",", let t = type, "nbcoxX".contains(t) { throw Failure("Cannot specify ',' with '\(t)'.") }
        switch (n, type) {
        case (.int(let i), nil), (.int(let i), "d"), (.int(let i), "n"):
            negative = i < 0
            magnitude = String(i.magnitude)
            type = "d"
        case (.int(let i), "x"), (.int(let i), "X"), (.int(let i), "o"), (.int(let i), "b"):
            negative = i < 0
            let radix = type == "o" ? 8 : type == "b" ? 2 : 16
            magnitude = String(i.magnitude, radix: radix, uppercase: type == "X")
            if spec.alternate { prefix = type == "X" ? "0X" : "0" + String(type!) }
        case (.int(let i), "c"):
            guard i >= 0, let scalar = Unicode.Scalar(UInt32(clamping: i)) else { throw Failure("%c arg not in range(0x110000)") }
            return pad(String(Character(scalar)), spec, defaultAlign: ">", signLength: 0)
        case (.int(let i), _):
            return try number(.double(Double(i)), spec)
        case (.double(let d), _):
            guard let t = type ?? Optional("r"), "eEfFgGn%r".contains(t) else {
                throw Failure("unknown format code '\(type!)' for object of type 'float'")
            }
            negative = d.sign == .minus && !(d.isNaN)
            magnitude = floatText(d.magnitude, t, spec.precision, alternate: spec.alternate)
        }
        let sign = negative ? "-" : spec.sign == "+" ? "+" : spec.sign == " " ? " " : ""
        if let g = spec.grouping {
            let every = type == "d" || type == nil || "eEfFgG%r".contains(type!) ? 3 : 4
            var digits = magnitude
            // Zero padding pads the digits, separators included (a separator never leads).
            if spec.fill == "0" && (spec.zeroPadding || spec.align == "=") && magnitude.first?.isHexDigit == true {
                let whole = digits.prefix { $0.isHexDigit }.count
                let rest = digits.count - whole
                var n = whole
                while sign.count + prefix.count + n + (n - 1) / every + rest < spec.width { n += 1 }
                digits = String(repeating: "0", count: n - whole) + digits
            }
            magnitude = group(digits, g, every: every)
        }
        return pad(sign + prefix + magnitude, spec, defaultAlign: ">", signLength: sign.count + prefix.count)
    }

    /// Digits of a non-negative float for one presentation type (`r`: no type given).
    static func floatText(_ x: Double, _ type: Character, _ precision: Int?, alternate: Bool) -> String {
        if !x.isFinite {
            let text = x.isNaN ? "nan" : "inf"
            return (type.isUppercase ? text.uppercased() : text) + (type == "%" ? "%" : "")
        }
        switch type {
        case "r":
            // Like 'g', but scientific from the exponent p - 1 on, and fixed notation keeps a
            // digit after the point.
            guard let p = precision.map({ max($0, 1) }) else { return PythonNumbers.repr(x) }
            let scientific = cFormat(x, "e", p - 1, alternate: alternate)
            let exponent = Int(scientific[scientific.index(after: scientific.lastIndex(of: "e")!)...]) ?? 0
            if exponent < -4 || exponent >= p - 1 {
                return alternate ? scientific : trimmedMantissa(scientific)
            }
            var text = cFormat(x, "g", p, alternate: alternate)
            if !text.contains(".") { text += ".0" }
            return text
        case "%":
            return cFormat(x * 100, "f", precision ?? 6, alternate: alternate) + "%"
        case "n":
            return cFormat(x, "g", precision ?? 6, alternate: alternate)
        default:
            let p = precision ?? 6
            return cFormat(x, type, (type == "g" || type == "G") ? max(p, 1) : p, alternate: alternate)
        }
    }

    /// `1.2300e+05` -> `1.23e+05`: trailing zeros of the mantissa dropped, as 'g' drops them.
    private static func trimmedMantissa(_ text: String) -> String {
        guard let e = text.lastIndex(of: "e") else { return text }
        var mantissa = String(text[..<e])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        return mantissa + text[e...]
    }

    static func cFormat(_ x: Double, _ type: Character, _ precision: Int, alternate: Bool) -> String {
        let format = "%" + (alternate ? "#" : "") + ".\(precision)" + String(type)
        return String(format: format, x)
    }

    /// Thousands separators in the integer part of `digits`.
    private static func group(_ digits: String, _ separator: Character, every n: Int) -> String {
        let chars = Array(digits)
        var end = chars.firstIndex { !$0.isNumber && !$0.isHexDigit } ?? chars.count
        if let e = chars.firstIndex(where: { $0 == "." || $0 == "e" || $0 == "E" || $0 == "%" }) { end = min(end, e) }
        var out: [Character] = []
        for (k, ch) in chars[..<end].enumerated() {
            if k > 0 && (end - k) % n == 0 { out.append(separator) }
            out.append(ch)
        }
        return String(out) + String(chars[end...])
    }

    private static func pad(_ body: String, _ spec: Spec, defaultAlign: Character, signLength: Int) -> String {
        let defaultAlign: Character = spec.zeroPadding && defaultAlign == ">" ? "=" : defaultAlign
        let length = body.unicodeScalars.count
        guard spec.width > length else { return body }
        let fill = String(spec.fill)
        let missing = spec.width - length
        switch spec.align ?? defaultAlign {
        case "<": return body + String(repeating: fill, count: missing)
        case "^": return String(repeating: fill, count: missing / 2) + body + String(repeating: fill, count: missing - missing / 2)
        case "=":
            let cut = body.index(body.startIndex, offsetBy: signLength)
            return body[..<cut] + String(repeating: fill, count: missing) + body[cut...]
        default: return String(repeating: fill, count: missing) + body
        }
    }
}
