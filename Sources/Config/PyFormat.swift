import Foundation

/// `'%s and %d' % args`: printf-style formatting as Python's `str % x` does it.
enum PyPercentFormat {
    typealias Failure = ArithmeticError

    static func format(_ format: String, _ args: ConfigValue) throws(Failure) -> String {
        var positional: [ConfigValue]
        var mapping: ConfigDict?
        switch args {
        case .tuple(let items): positional = items
        case .dict(let d): positional = [args]; mapping = d
        default: positional = [args]
        }
        var next = 0
        var out = ""
        let c = format.unicodeScalars.map(Character.init)  // code points, as Python reads the format
        var i = 0
        func take() throws(Failure) -> ConfigValue {
            guard next < positional.count else { throw Failure("not enough arguments for format string") }
            next += 1
            return positional[next - 1]
        }
        while i < c.count {
            guard c[i] == "%" else { out.append(c[i]); i += 1; continue }
            i += 1
            guard i < c.count else { throw Failure("incomplete format") }
            var value: ConfigValue?
            if c[i] == "(" {
                guard let d = mapping else { throw Failure("format requires a mapping") }
                var key = ""
                i += 1
                while i < c.count, c[i] != ")" { key.append(c[i]); i += 1 }
                guard i < c.count else { throw Failure("incomplete format key") }
                i += 1
                guard let v = d[key] else { throw Failure("KeyError: '\(key)' (in a %(...) format)") }
                value = v
            }
            var flags = Set<Character>()
            while i < c.count, "#0- +".contains(c[i]) { flags.insert(c[i]); i += 1 }
            var width = 0
            if i < c.count, c[i] == "*" {
                guard case .int(let w) = try take() else { throw Failure("* wants int") }
                if w < 0 { flags.insert("-") }
                guard w.magnitude <= UInt(PyLimits.maxElements) else { throw Failure("format width too large") }
                width = Int(w.magnitude)
                i += 1
            } else {
                while i < c.count, c[i].isASCII, c[i].isNumber {
                    width = width * 10 + c[i].wholeNumberValue!
                    guard width <= PyLimits.maxElements else { throw Failure("format width too large") }
                    i += 1
                }
            }
            var precision: Int?
            if i < c.count, c[i] == "." {
                i += 1
                var p = 0
                while i < c.count, c[i].isASCII, c[i].isNumber {
                    p = p * 10 + c[i].wholeNumberValue!
                    guard p <= 1000 else { throw Failure("format precision too large") }
                    i += 1
                }
                precision = p
            }
            while i < c.count, "hlL".contains(c[i]) { i += 1 }
            guard i < c.count else { throw Failure("incomplete format") }
            let type = c[i]
            i += 1
            if type == "%" { out.append("%"); continue }
            let arg: ConfigValue
            if let value { arg = value } else { arg = try take() }
            var body: String
            var head = ""  // sign and 0x prefix: zero padding goes after them
            var numeric = false
            func truncated(_ n: PyArithmetic.Number) throws(Failure) -> Int {
                switch n {
                case .int(let i): return i
                case .double(let d):
                    guard d.isFinite, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else {
                        throw Failure("cannot convert float \(PythonNumbers.repr(d)) to a 64-bit integer")
                    }
                    return Int(d)
                }
            }
            switch type {
            case "s": body = PySemantics.str(.value(arg)); if let p = precision { body = prefix(body, p) }
            case "r": body = PythonRepr.python(arg); if let p = precision { body = prefix(body, p) }
            case "a": body = PyStrFormat.ascii(PythonRepr.python(arg)); if let p = precision { body = prefix(body, p) }
            case "c":
                if let text = arg.stringValue {
                    guard text.unicodeScalars.count == 1 else { throw Failure("%c requires an int or a unicode character, not a string of length \(text.unicodeScalars.count)") }
                    body = text
                } else if case .int(let code)? = PyArithmetic.number(arg).map({ PyArithmetic.value($0) }), code >= 0,
                          let scalar = Unicode.Scalar(UInt32(clamping: code)) {
                    body = String(Character(scalar))
                } else {
                    throw Failure("%c requires an int or a unicode character, not \(arg.typeName)")
                }
            case "d", "i", "u", "x", "X", "o":
                numeric = true
                guard let n = PyArithmetic.number(arg) else {
                    throw Failure("%\(type) format: a real number is required, not \(arg.typeName)")
                }
                if "xXo".contains(type), case .double = n { throw Failure("%\(type) format: an integer is required, not float") }
                let value = try truncated(n)
                var digits = String(value.magnitude, radix: type == "o" ? 8 : "xX".contains(type) ? 16 : 10, uppercase: type == "X")
                if let p = precision, digits.count < p { digits = String(repeating: "0", count: p - digits.count) + digits }
                head = value < 0 ? "-" : flags.contains("+") ? "+" : flags.contains(" ") ? " " : ""
                if flags.contains("#") && "xXo".contains(type) { head += type == "o" ? "0o" : type == "x" ? "0x" : "0X" }
                body = head + digits
            case "e", "E", "f", "F", "g", "G":
                numeric = true
                guard let n = PyArithmetic.number(arg) else {
                    throw Failure("%\(type) format: a real number is required, not \(arg.typeName)")
                }
                let d: Double
                switch n {
                case .int(let i): d = Double(i)
                case .double(let x): d = x
                }
                head = d.sign == .minus && !d.isNaN ? "-" : flags.contains("+") ? "+" : flags.contains(" ") ? " " : ""
                body = head + PyFormatSpec.floatText(d.magnitude, type, precision ?? 6, alternate: flags.contains("#"))
            default:
                throw Failure("unsupported format character '\(type)'")
            }
            let length = body.unicodeScalars.count
            if width > length {
                if flags.contains("-") {
                    body += String(repeating: " ", count: width - length)
                } else if flags.contains("0") && numeric {
                    body = head + String(repeating: "0", count: width - length) + body.dropFirst(head.count)
                } else {
                    body = String(repeating: " ", count: width - length) + body
                }
            }
            try PySemantics.checkText(out, body)
            out += body
        }
        if mapping == nil && next < positional.count { throw Failure("not all arguments converted during string formatting") }
        return out
    }

    /// The first `n` code points of `text`.
    private static func prefix(_ text: String, _ n: Int) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: text.unicodeScalars.prefix(n))
        return String(out)
    }
}

/// `'{} {name} {0[1]:>4}'.format(...)`: fields by position (automatic or numbered) or name,
/// with `.attr` / `[key]` lookups, `!r` / `!s` conversions and (nested) format specs.
enum PyStrFormat {
    typealias Failure = ArithmeticError

    static func format(_ template: String, _ args: [PyObject], _ kwargs: [(String, PyObject)]) throws(Failure) -> String {
        var auto = 0
        var manual = false
        var named: [String: PyObject] = [:]
        for (key, value) in kwargs { named[key] = value }
        return try render(template, args, named, &auto, &manual, depth: 0)
    }

    /// `auto` counts `{}` fields across the template and the specs nested in it.
    private static func render(_ template: String, _ args: [PyObject], _ named: [String: PyObject],
                               _ auto: inout Int, _ manual: inout Bool, depth: Int) throws(Failure) -> String {
        let c = template.unicodeScalars.map(Character.init)
        var out = ""
        var i = 0
        while i < c.count {
            let ch = c[i]
            if ch == "}" {
                guard i + 1 < c.count, c[i + 1] == "}" else { throw Failure("Single '}' encountered in format string") }
                out.append("}")
                i += 2
                continue
            }
            guard ch == "{" else { out.append(ch); i += 1; continue }
            if i + 1 < c.count, c[i + 1] == "{" { out.append("{"); i += 2; continue }
            i += 1
            var field = ""
            var nested = 0
            while i < c.count {
                if c[i] == "{" { nested += 1 } else if c[i] == "}" { if nested == 0 { break }; nested -= 1 }
                field.append(c[i])
                i += 1
            }
            guard i < c.count else { throw Failure("expected '}' before end of string") }
            i += 1
            // split name / conversion / spec
            var name = field, conversion: Character?, spec = ""
            if let colon = topLevelIndex(of: ":", in: field) {
                name = String(field[..<colon])
                spec = String(field[field.index(after: colon)...])
            }
            if let bang = name.firstIndex(of: "!") {
                let conv = name[name.index(after: bang)...]
                guard conv.count == 1, "rsa".contains(conv.first!) else { throw Failure("invalid conversion in a format field") }
                conversion = conv.first
                name = String(name[..<bang])
            }
            let (head, rest) = splitFieldName(name)
            var value: PyObject
            if head.isEmpty {
                guard !manual else { throw Failure("cannot switch from manual field specification to automatic field numbering") }
                guard auto < args.count else { throw Failure("Replacement index \(auto) out of range for positional args tuple") }
                value = args[auto]
                auto += 1
            } else if head.allSatisfy(\.isASCII), head.allSatisfy(\.isNumber), let n = Int(head) {
                guard auto == 0 else { throw Failure("cannot switch from automatic field numbering to manual field specification") }
                manual = true
                guard n < args.count else { throw Failure("Replacement index \(n) out of range for positional args tuple") }
                value = args[n]
            } else {
                guard let v = named[head] else { throw Failure("KeyError: '\(head)' (in a format field)") }
                value = v
            }
            value = try lookup(value, rest)
            if spec.contains("{") {
                guard depth < 1 else { throw Failure("Max string recursion exceeded") }
                spec = try render(spec, args, named, &auto, &manual, depth: depth + 1)
            }
            switch conversion {
            case "r": value = .value(.string(PySemantics.repr(value)))
            case "a": value = .value(.string(ascii(PySemantics.repr(value))))
            case "s": value = .value(.string(PySemantics.str(value)))
            default: break
            }
            out += try PyFormatSpec.format(value, spec)
            try PySemantics.checkText(out)
        }
        return out
    }

    /// Python's `ascii()` of a repr: code points above 127 as \xhh, \uhhhh or \Uhhhhhhhh.
    static func ascii(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 128 {
                out.unicodeScalars.append(scalar)
            } else {
                let (prefix, width) = v < 0x100 ? ("\\x", 2) : v < 0x10000 ? ("\\u", 4) : ("\\U", 8)
                let hex = String(v, radix: 16)
                out += prefix + String(repeating: "0", count: width - hex.count) + hex
            }
        }
        return out
    }

    private static func topLevelIndex(of ch: Character, in s: String) -> String.Index? {
        var bracket = false
        var idx = s.startIndex
        while idx < s.endIndex {
            let c = s[idx]
            if c == "[" { bracket = true } else if c == "]" { bracket = false } else if c == ch && !bracket { return idx }
            idx = s.index(after: idx)
        }
        return nil
    }

    /// `a.b[0]` -> ("a", ".b[0]").
    private static func splitFieldName(_ name: String) -> (String, String) {
        guard let cut = name.firstIndex(where: { $0 == "." || $0 == "[" }) else { return (name, "") }
        return (String(name[..<cut]), String(name[cut...]))
    }

    private static func lookup(_ start: PyObject, _ rest: String) throws(Failure) -> PyObject {
        var value = start
        var c = Array(rest)[...]
        while let first = c.first {
            c = c.dropFirst()
            var key = ""
            if first == "." {
                while let ch = c.first, ch != ".", ch != "[" { key.append(ch); c = c.dropFirst() }
            } else {
                while let ch = c.first, ch != "]" { key.append(ch); c = c.dropFirst() }
                guard c.first == "]" else { throw Failure("Missing ']' in format string") }
                c = c.dropFirst()
            }
            switch (value, Int(key)) {
            case (.value(.list(let items)), let n?), (.value(.tuple(let items)), let n?):
                guard n >= 0, n < items.count else { throw Failure("index \(n) out of range in a format field") }
                value = .value(items[n])
            case (.value(.dict(let d)), _):
                guard let v = d[key] else { throw Failure("KeyError: '\(key)' (in a format field)") }
                value = .value(v)
            default:
                throw Failure("'\(value.typeName)' object has no item or attribute '\(key)' (in a format field)")
            }
        }
        return value
    }
}
