/// Atoms: names and constants, numbers, (adjacent) strings and f-strings, placeholders, and
/// the bracketed displays: `( )` (grouping, tuple or generator), `[ ]` (list or list
/// comprehension), `{ }` (dict, set, or their comprehensions), with `*` / `**` unpacking.
extension PyParser {
    mutating func atom() throws -> PyExpr {
        let token = current
        switch token.kind {
        case .name(let name):
            advance()
            switch name {
            case "True": return PyExpr(kind: .constant(.bool(true)), offset: token.start, depth: 1)
            case "False": return PyExpr(kind: .constant(.bool(false)), offset: token.start, depth: 1)
            case "None": return PyExpr(kind: .constant(.none), offset: token.start, depth: 1)
            default:
                if PyKeywords.hard.contains(name) {
                    throw error(.unsupported, "\(PyKeywords.expressionConstruct(name)) not allowed in config files", at: token.start)
                }
                return PyExpr(kind: .name(name), offset: token.start, depth: 1)
            }
        case .int(let value):
            advance()
            return PyExpr(kind: .constant(.int(value)), offset: token.start, depth: 1)
        case .float(let value):
            advance()
            return PyExpr(kind: .constant(.double(value)), offset: token.start, depth: 1)
        case .string, .formatted:
            return try strings()
        case .placeholder(let path):
            advance()
            return PyExpr(kind: .placeholder(path), offset: token.start, depth: 1)
        case .op(.lparen): return try parenthesized()
        case .op(.lbracket): return try listDisplay()
        case .op(.lbrace): return try braceDisplay()
        default:
            throw error(.syntax, "expected a value, found \(token.describe)", at: token.start)
        }
    }

    /// Adjacent string literals are one string (`'a' 'b'` is `'ab'`); with an f-string among
    /// them, one f-string.
    private mutating func strings() throws -> PyExpr {
        let start = current.start
        var parts: [PyFormatPart] = []
        var formatted = false
        var depth = 1
        while true {
            switch current.kind {
            case .string(let text):
                parts.append(.literal(text))
            case .formatted(let lexed):
                formatted = true
                for part in lexed {
                    let converted = try formatPart(part)
                    if case .field(let e, _, _) = converted { depth = max(depth, e.depth + 1) }
                    parts.append(converted)
                }
            default:
                if !formatted {
                    let text = parts.map { if case .literal(let s) = $0 { return s } else { return "" } }.joined()
                    return PyExpr(kind: .constant(.string(text)), offset: start, depth: 1)
                }
                guard depth < 2 * maxDepth else {
                    throw error(.limit, "expression nested too deeply (more than \(2 * maxDepth) levels)", at: start)
                }
                return PyExpr(kind: .formatted(parts), offset: start, depth: depth)
            }
            advance()
        }
    }

    /// A field of an f-string: its expression parsed from its own bytes, as if parenthesized.
    private func formatPart(_ part: PyLexedPart) throws -> PyFormatPart {
        switch part {
        case .literal(let text):
            return .literal(text)
        case .field(let start, let end, let conversion, let spec):
            let fieldTokens = try PyLexer.tokenize(source, maxDepth: maxDepth, field: start..<end)
            var parser = PyParser(source: source, maxDepth: maxDepth, tokens: fieldTokens)
            parser.nesting = nesting + 1
            let e = try parser.expressionList()
            while case .newline = parser.current.kind { parser.advance() }
            guard case .end = parser.current.kind else {
                throw error(.syntax, "f-string: expecting '}', found \(parser.current.describe)", at: parser.current.start)
            }
            if e.isPlaceholder { throw placeholderInExpression(e) }
            return .field(e, conversion: conversion, spec: try spec.map(formatPart))
        }
    }

    /// `()` empty tuple, `(x)` grouping, `(x,)` and `(x, *y)` tuples, `(x for ...)`.
    private mutating func parenthesized() throws -> PyExpr {
        let open = current.start
        advance()
        if accept(.rparen) { return PyExpr(kind: .constant(.tuple([])), offset: open, depth: 1) }
        if current.name == "yield" {
            throw error(.unsupported, "'yield' is not allowed in config files", at: current.start)
        }
        let first = try starOrExpression()
        if current.name == "for" {
            let generator = try comprehension(.generator, first, at: open)
            let opened = source.position(open)
            try expect(.rparen, "to close the generator expression opened at \(opened)")
            return generator
        }
        if accept(.rparen) {
            if case .starred = first.kind { throw error(.syntax, "can't use starred expression here", at: first.offset) }
            return first
        }
        var items = [first]
        while accept(.comma) {
            if isOp(.rparen) { break }
            items.append(try starOrExpression())
        }
        let text = source
        try expect(.rparen, "to close the tuple opened at \(text.position(open))")
        return try node(.tuple(items), at: open, children: items)
    }

    private mutating func listDisplay() throws -> PyExpr {
        let open = current.start
        advance()
        var items: [PyExpr] = []
        while !isOp(.rbracket) {
            items.append(try starOrExpression())
            if items.count == 1, current.name == "for" {
                let list = try comprehension(.list, items[0], at: open)
                let opened = source.position(open)
                try expect(.rbracket, "to close the list comprehension opened at \(opened)")
                return list
            }
            if !accept(.comma) { break }
        }
        let text = source
        try expect(.rbracket, "to close the list opened at \(text.position(open))")
        return try node(.list(items), at: open, children: items)
    }

    /// `{}`, `{k: v, **d}`, `{a, *b}`, and their comprehensions.
    private mutating func braceDisplay() throws -> PyExpr {
        let open = current.start
        advance()
        var pairs: [(key: PyExpr?, value: PyExpr)] = []
        var elements: [PyExpr] = []
        while !isOp(.rbrace) {
            if accept(.doubleStar) {
                guard elements.isEmpty else { throw error(.syntax, "'**' unpacking is only allowed in a dict", at: current.start) }
                pairs.append((nil, try arithmetic()))
            } else {
                let key = try starOrExpression()
                if key.isPlaceholder {
                    throw error(.placeholder, "a {{_base_...}} placeholder cannot be a dict key or a set element", at: key.offset)
                }
                if accept(.colon) {
                    guard elements.isEmpty, !isStarred(key) else { throw error(.syntax, "a set cannot hold 'key: value' pairs", at: key.offset) }
                    let value = try expression()
                    if pairs.isEmpty, current.name == "for" {
                        let clauses = try comprehensionClauses()
                        let opened = source.position(open)
                        try expect(.rbrace, "to close the dict comprehension opened at \(opened)")
                        return try node(.dictComprehension(key, value, clauses.clauses), at: open, children: [key, value] + clauses.children)
                    }
                    pairs.append((key, value))
                } else {
                    guard pairs.isEmpty else { throw error(.syntax, "expected ':' after the dict key", at: current.start) }
                    if elements.isEmpty, current.name == "for" {
                        let set = try comprehension(.set, key, at: open)
                        let opened = source.position(open)
                        try expect(.rbrace, "to close the set comprehension opened at \(opened)")
                        return set
                    }
                    elements.append(key)
                }
            }
            if !accept(.comma) { break }
        }
        let text = source
        try expect(.rbrace, "to close the \(elements.isEmpty ? "dict" : "set") opened at \(text.position(open))")
        if !elements.isEmpty { return try node(.set(elements), at: open, children: elements) }
        return try node(.dictDisplay(pairs), at: open, children: pairs.flatMap { [$0.key, $0.value].compactMap { $0 } })
    }

    private func isStarred(_ e: PyExpr) -> Bool {
        if case .starred = e.kind { return true } else { return false }
    }
}
