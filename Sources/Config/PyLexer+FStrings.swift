/// f-strings (Python 3.11 rules): text with `{{` / `}}` escapes, and replacement fields
/// `{expression!conversion:spec}` whose spec may hold fields itself. The expression's bytes are
/// left for the parser; here they are only delimited (brackets and nested strings skipped; a
/// backslash, a comment or the f-string's own quote inside a field are errors, as in Python).
extension PyLexer {
    mutating func formattedString(prefixStart: Int, raw: Bool) throws {
        let quote = b[i]
        let triple = i + 2 < end && b[i + 1] == quote && b[i + 2] == quote
        let quoteStart = i
        i += triple ? 3 : 1
        let parts = try formatParts(FString(quote: quote, triple: triple, raw: raw, start: quoteStart), inSpec: false)
        i += triple ? 3 : 1
        append(.formatted(parts), from: prefixStart)
    }

    struct FString {
        let quote: UInt8
        let triple: Bool
        let raw: Bool
        let start: Int
    }

    private func atClosingQuote(_ f: FString) -> Bool {
        guard b[i] == f.quote else { return false }
        return !f.triple || (i + 2 < end && b[i + 1] == f.quote && b[i + 2] == f.quote)
    }

    private func unterminated(_ f: FString) -> ConfigError {
        source.error(.syntax, "unterminated f-string starting at \(source.position(f.start))", at: f.start)
    }

    /// Text and fields up to the closing quote (or, in a format spec, up to its `}`).
    /// `nested`: the spec of a field that is itself in a spec, where Python allows no fields.
    private mutating func formatParts(_ f: FString, inSpec: Bool, nested: Bool = false) throws -> [PyLexedPart] {
        var parts: [PyLexedPart] = []
        var out: [UInt8] = []
        func flush() {
            if !out.isEmpty { parts.append(.literal(String(decoding: out, as: UTF8.self))) }
            out = []
        }
        while true {
            guard i < end else { throw unterminated(f) }
            let c = b[i]
            if atClosingQuote(f) {
                if inSpec { throw source.error(.syntax, "f-string: expecting '}' before the closing quote", at: i) }
                break
            }
            if !f.triple && (c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")) { throw unterminated(f) }
            if inSpec && c == UInt8(ascii: "}") { break }
            if c == UInt8(ascii: "{") {
                if TextSubstitution.matchBasePlaceholder(b, i) != nil {
                    throw source.error(.placeholder,
                        "a {{_base_...}} placeholder inside a string literal is not substituted; write _base_.x + '...' instead", at: i)
                }
                if !inSpec, i + 1 < end, b[i + 1] == UInt8(ascii: "{") {
                    out.append(c)
                    i += 2
                    continue
                }
                if nested { throw source.error(.syntax, "f-string: expressions nested too deeply", at: i) }
                flush()
                parts.append(try field(f, inSpec: inSpec))
                continue
            }
            if c == UInt8(ascii: "}") {
                guard i + 1 < end, b[i + 1] == UInt8(ascii: "}") else {
                    throw source.error(.syntax, "f-string: single '}' is not allowed (write '}}' for a brace)", at: i)
                }
                out.append(c)
                i += 2
                continue
            }
            if c == UInt8(ascii: "\\"), i + 1 < end, b[i + 1] == UInt8(ascii: "{") || b[i + 1] == UInt8(ascii: "}") {
                out.append(c)  // a backslash does not escape a brace: it stays, and the brace opens a field
                i += 1
            } else if c == UInt8(ascii: "\\") {
                try escape(raw: f.raw, into: &out)
            } else if c == UInt8(ascii: "\r") {
                lineBreak(into: &out)
            } else {
                out.append(c)
                i += 1
            }
        }
        flush()
        return parts
    }

    /// `{expression!c:spec}` at `i`.
    private mutating func field(_ f: FString, inSpec: Bool) throws -> PyLexedPart {
        let open = i
        i += 1
        let exprStart = i
        var depth = 0
        scan: while true {
            guard i < end else { throw unterminated(f) }
            let c = b[i]
            if atClosingQuote(f) || (!f.triple && (c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r"))) {
                throw source.error(.syntax, "f-string: expecting '}' for the '{' at \(source.position(open))", at: i)
            }
            switch c {
            case UInt8(ascii: "\\"):
                throw source.error(.syntax, "f-string expression part cannot include a backslash", at: i)
            case UInt8(ascii: "#"):
                throw source.error(.syntax, "f-string expression part cannot include '#'", at: i)
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxDepth { throw source.error(.limit, "nesting too deep in an f-string field", at: i) }
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth == 0 {
                    if c == UInt8(ascii: "}") { break scan }
                    throw source.error(.syntax, "f-string: unmatched '\(UnicodeScalar(c))'", at: i)
                }
                depth -= 1
            case UInt8(ascii: "!") where depth == 0 && !(i + 1 < end && b[i + 1] == UInt8(ascii: "=")):
                break scan
            case UInt8(ascii: ":") where depth == 0:
                break scan
            case UInt8(ascii: "=") where depth == 0:
                let prev = i > exprStart ? b[i - 1] : 0
                let next = i + 1 < end ? b[i + 1] : 0
                if !"=!<>".utf8.contains(prev) && next != UInt8(ascii: "=") {
                    throw source.error(.unsupported, "f-string self-documenting fields ('{x=}') are not allowed in config files", at: i)
                }
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                try skipNestedString()
                continue scan
            default: break
            }
            i += 1
        }
        let exprEnd = i
        if b[exprStart..<exprEnd].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw source.error(.syntax, "f-string: empty expression not allowed", at: open)
        }
        var conversion: Character?
        if b[i] == UInt8(ascii: "!") {
            i += 1
            guard i < end, [UInt8(ascii: "s"), UInt8(ascii: "r"), UInt8(ascii: "a")].contains(b[i]) else {
                throw source.error(.syntax, "f-string: invalid conversion character: expected 's', 'r', or 'a'", at: i)
            }
            conversion = Character(UnicodeScalar(b[i]))
            i += 1
        }
        var spec: [PyLexedPart] = []
        if i < end, b[i] == UInt8(ascii: ":") {
            i += 1
            spec = try formatParts(f, inSpec: true, nested: inSpec)
        }
        guard i < end, b[i] == UInt8(ascii: "}") else {
            throw source.error(.syntax, "f-string: expecting '}' for the '{' at \(source.position(open))", at: min(i, end))
        }
        i += 1
        return .field(start: exprStart, end: exprEnd, conversion: conversion, spec: spec)
    }

    /// A string literal inside a field (of another quote kind, as Python 3.11 requires).
    private mutating func skipNestedString() throws {
        let quote = b[i]
        let start = i
        let triple = i + 2 < end && b[i + 1] == quote && b[i + 2] == quote
        i += triple ? 3 : 1
        while true {
            guard i < end, b[i] != UInt8(ascii: "\n") || triple else {
                throw source.error(.syntax, "unterminated string literal starting at \(source.position(start))", at: start)
            }
            if b[i] == quote && (!triple || (i + 2 < end && b[i + 1] == quote && b[i + 2] == quote)) {
                i += triple ? 3 : 1
                return
            }
            i += 1
        }
    }
}
