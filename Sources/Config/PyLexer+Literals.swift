/// Number and string literals of Python 3: decimal, hex, octal and binary ints with `_`
/// separators, floats (`1e-3`, `.5`, `3.`), quoted strings in both quote kinds, triple-quoted,
/// raw (`r'...'`), with every escape Python knows.
extension PyLexer {
    mutating func number() throws {
        let start = i
        if b[i] == UInt8(ascii: "0"), i + 1 < end, let radix = Self.radix(b[i + 1]) {
            i += 2
            var digits: [UInt8] = []
            try digitRun(start: start, into: &digits) { $0 < radix }
            try rejectNumberSuffix(start)
            guard let value = Int(String(decoding: digits, as: UTF8.self), radix: radix) else {
                throw source.error(.limit, "integer literal too large (more than 64 bits)", at: start)
            }
            append(.int(value), from: start)
            return
        }
        if let value = try plainInt(start) {
            append(.int(value), from: start)
            return
        }
        var isFloat = false
        var text: [UInt8] = []
        if b[i] != UInt8(ascii: ".") { try digitRun(start: start, into: &text) { $0 < 10 } }
        if i < end, b[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            text.append(UInt8(ascii: "."))
            if i < end, isDigit(b[i]) { try digitRun(start: start, into: &text) { $0 < 10 } }
        }
        if i < end, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            text.append(UInt8(ascii: "e"))
            if i < end, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                text.append(b[i])
                i += 1
            }
            guard i < end, isDigit(b[i]) else {
                throw source.error(.syntax, "invalid float literal: the exponent has no digits", at: start)
            }
            try digitRun(start: start, into: &text) { $0 < 10 }
        }
        try rejectNumberSuffix(start)
        if isFloat {
            if text.first == UInt8(ascii: ".") { text.insert(UInt8(ascii: "0"), at: 0) }
            guard let value = Double(String(decoding: text, as: UTF8.self)) else {
                throw source.error(.syntax, "invalid float literal", at: start)
            }
            append(.float(value), from: start)
            return
        }
        if text.count > 1, text[0] == UInt8(ascii: "0"), text.contains(where: { $0 != UInt8(ascii: "0") }) {
            throw source.error(.syntax,
                "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", at: start)
        }
        guard let value = Int(String(decoding: text, as: UTF8.self)) else {
            throw source.error(.limit, "integer literal too large (more than 64 bits)", at: start)
        }
        append(.int(value), from: start)
    }

    /// The common case, digits only (no `_`, `.`, exponent or suffix): the value, read
    /// without building text; nil to take the general path.
    private mutating func plainInt(_ start: Int) throws -> Int? {
        var j = i
        var value = 0
        var overflow = false
        while j < end, isDigit(b[j]) {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(b[j]) - 0x30)
            value = sum
            overflow = overflow || o1 || o2
            j += 1
        }
        guard j > i else { return nil }
        if j < end {
            let c = b[j]
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || isNameContinue(at: j) { return nil }
        }
        if overflow || (j - i > 1 && b[i] == UInt8(ascii: "0") && value != 0) { return nil }
        i = j
        return value
    }

    private static func radix(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "x"), UInt8(ascii: "X"): return 16
        case UInt8(ascii: "o"), UInt8(ascii: "O"): return 8
        case UInt8(ascii: "b"), UInt8(ascii: "B"): return 2
        default: return nil
        }
    }

    private static func digitValue(_ c: UInt8) -> Int {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c) - 0x30
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c) - 0x61 + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(c) - 0x41 + 10
        default: return 99
        }
    }

    /// Digits with single `_` separators between them (`1_000`), appended without the `_`.
    private mutating func digitRun(start: Int, into out: inout [UInt8], _ isDigit: (Int) -> Bool) throws {
        var count = 0
        var afterUnderscore = true  // an underscore may not lead (after a 0x prefix it may)
        if i >= 2, b[i - 1] != UInt8(ascii: "."), Self.radix(b[i - 1]) != nil, b[i - 2] == UInt8(ascii: "0") {
            afterUnderscore = false
        }
        while i < end {
            if isDigit(Self.digitValue(b[i])) {
                out.append(b[i])
                count += 1
                afterUnderscore = false
            } else if b[i] == UInt8(ascii: "_"), !afterUnderscore, i + 1 < end, isDigit(Self.digitValue(b[i + 1])) {
                afterUnderscore = true
            } else {
                break
            }
            i += 1
        }
        guard count > 0 else {
            throw source.error(.syntax, "invalid number literal", at: start)
        }
    }

    private func rejectNumberSuffix(_ start: Int) throws {
        guard i < end else { return }
        if b[i] == UInt8(ascii: "j") || b[i] == UInt8(ascii: "J") {
            throw source.error(.unsupported, "complex numbers are not allowed in config files", at: start)
        }
        if isNameContinue(at: i) {
            throw source.error(.syntax, "invalid number literal '\(source.text(start, i + 1))'", at: start)
        }
    }

    // MARK: - Strings

    /// A string literal whose quote is at `i`; `prefixStart` is where its prefix began.
    mutating func string(prefixStart: Int, raw: Bool) throws {
        let quote = b[i]
        let triple = i + 2 < end && b[i + 1] == quote && b[i + 2] == quote
        let quoteStart = i
        i += triple ? 3 : 1
        var out: [UInt8] = []
        while true {
            guard i < end else {
                throw source.error(.syntax, "unterminated string literal starting at \(source.position(quoteStart))", at: quoteStart)
            }
            let c = b[i]
            if c == quote && (!triple || (i + 2 < end && b[i + 1] == quote && b[i + 2] == quote)) { break }
            if !triple && (c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")) {
                throw source.error(.syntax, "unterminated string literal starting at \(source.position(quoteStart))", at: quoteStart)
            }
            if c == UInt8(ascii: "{"), TextSubstitution.matchBasePlaceholder(b, i) != nil {
                throw source.error(.placeholder,
                    "a {{_base_...}} placeholder inside a string literal is not substituted; write _base_.x + '...' instead",
                    at: i)
            }
            if c == UInt8(ascii: "\\") {
                try escape(raw: raw, into: &out)
            } else if c == UInt8(ascii: "\r") {
                lineBreak(into: &out)
            } else {
                out.append(c)
                i += 1
            }
        }
        i += triple ? 3 : 1
        append(.string(String(decoding: out, as: UTF8.self)), from: prefixStart)
    }

    /// A line break in a triple-quoted string at `i` (CR LF, or a lone CR) as one LF: Python
    /// reads a source file with universal newlines, so a string never holds its CRs.
    mutating func lineBreak(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        i += b[i] == UInt8(ascii: "\r") && i + 1 < end && b[i + 1] == UInt8(ascii: "\n") ? 2 : 1
    }

    /// One backslash escape at `i`, appended to `out` as UTF-8.
    mutating func escape(raw: Bool, into out: inout [UInt8]) throws {
        let start = i
        guard i + 1 < end else {
            out.append(b[i])
            i += 1
            return
        }
        let next = b[i + 1]
        if raw {
            // in a raw string a backslash stays, and only keeps the next quote from closing
            out.append(b[i])
            i += 1
            if next == UInt8(ascii: "\r") { return lineBreak(into: &out) }
            out.append(next)
            i += 1
            return
        }
        i += 2
        switch next {
        case UInt8(ascii: "\n"): break
        case UInt8(ascii: "\r"): if i < end, b[i] == UInt8(ascii: "\n") { i += 1 }
        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(next)
        case UInt8(ascii: "a"): out.append(0x07)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "v"): out.append(0x0B)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var value = Int(next) - 0x30
            var n = 1
            while n < 3, i < end, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "7") {
                value = value * 8 + Int(b[i]) - 0x30
                i += 1
                n += 1
            }
            try appendScalar(value, into: &out, at: start)
        case UInt8(ascii: "x"): try appendScalar(hexDigits(2, at: start), into: &out, at: start)
        case UInt8(ascii: "u"): try appendScalar(hexDigits(4, at: start), into: &out, at: start)
        case UInt8(ascii: "U"): try appendScalar(hexDigits(8, at: start), into: &out, at: start)
        case UInt8(ascii: "N"):
            throw source.error(.unsupported, "named unicode escapes (\\N{...}) are not supported; use \\u", at: start)
        default:
            out.append(UInt8(ascii: "\\"))  // unknown escapes keep their backslash
            i -= 1
        }
    }

    private mutating func hexDigits(_ count: Int, at start: Int) throws -> Int {
        var value = 0
        for _ in 0..<count {
            guard i < end, Self.digitValue(b[i]) < 16 else {
                throw source.error(.syntax, "truncated escape: expected \(count) hex digits", at: start)
            }
            value = value * 16 + Self.digitValue(b[i])
            i += 1
        }
        return value
    }

    private func appendScalar(_ value: Int, into out: inout [UInt8], at start: Int) throws {
        guard let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: value)), value <= 0x10FFFF else {
            throw source.error(.syntax, "invalid character escape (U+\(String(value, radix: 16, uppercase: true)) is not a Unicode scalar)", at: start)
        }
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }
}
