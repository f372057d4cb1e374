/// Atoms: names and constants, numbers, (adjacent) strings, placeholders, and the three
/// bracketed displays: `( )` (grouping or tuple), `[ ]` (list), `{ }` (dict).
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
        case .string(let first):
            advance()
            var text = first
            while case .string(let more) = current.kind {  // 'a' 'b' is 'ab'
                text += more
                advance()
            }
            return PyExpr(kind: .constant(.string(text)), offset: token.start, depth: 1)
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

    /// `()` empty tuple, `(x)` grouping, `(x,)` and `(x, y)` tuples.
    private mutating func parenthesized() throws -> PyExpr {
        let open = current.start
        advance()
        if accept(.rparen) { return PyExpr(kind: .constant(.tuple([])), offset: open, depth: 1) }
        let first = try expression()
        try rejectComprehension(open: open, what: "generator expressions are")
        if accept(.rparen) { return first }
        var items = [first]
        while accept(.comma) {
            if isOp(.rparen) { break }
            items.append(try expression())
            try rejectComprehension(open: open, what: "generator expressions are")
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
            items.append(try expression())
            try rejectComprehension(open: open, what: "list comprehensions are")
            if !accept(.comma) { break }
        }
        let text = source
        try expect(.rbracket, "to close the list opened at \(text.position(open))")
        return try node(.list(items), at: open, children: items)
    }

    /// `{}` and `{k: v, ...}`; sets and dict comprehensions are rejected.
    private mutating func braceDisplay() throws -> PyExpr {
        let open = current.start
        advance()
        var pairs: [(key: PyExpr, value: PyExpr)] = []
        while !isOp(.rbrace) {
            if isOp(.doubleStar) {
                throw error(.unsupported, "unpacking ('**') is not allowed in config files", at: current.start)
            }
            let key = try expression()
            if key.isPlaceholder {
                throw error(.placeholder, "a {{_base_...}} placeholder cannot be a dict key", at: key.offset)
            }
            guard accept(.colon) else {
                try rejectComprehension(open: open, what: "set comprehensions are")
                throw error(.unsupported, "set literals ({a, b}) are not allowed in config files; use a list or a tuple", at: open)
            }
            let value = try expression()
            try rejectComprehension(open: open, what: "dict comprehensions are")
            pairs.append((key, value))
            if !accept(.comma) { break }
        }
        let text = source
        try expect(.rbrace, "to close the dict opened at \(text.position(open))")
        return try node(.dictDisplay(pairs), at: open, children: pairs.flatMap { [$0.key, $0.value] })
    }

    /// A `for` after an element makes the display a comprehension.
    private func rejectComprehension(open: Int, what: String) throws {
        if current.name == "for" || current.name == "async" {
            throw error(.unsupported,
                "\(what) not allowed (the 'for' is at \(source.position(current.start))); write the values out",
                at: open)
        }
    }
}
