/// Expressions: literals, names, `{{_base_.x}}`, lists, tuples, `dict(k=v)`, `{k: v}`,
/// attribute reads, subscripts and slices, unary `+ -`, binary `+ - * /`. Comprehensions,
/// lambdas, comparisons, boolean and conditional operators are rejected where they start.
extension PyParser {
    /// `a` or `a, b, ...` (a bare tuple, as on the right of `x = 1, 2`).
    mutating func expressionList() throws -> PyExpr {
        let first = try expression()
        guard isOp(.comma) else { return first }
        var items = [first]
        while accept(.comma) {
            if startsExpression { items.append(try expression()) } else { break }
        }
        return try node(.tuple(items), at: first.offset, children: items)
    }

    /// Whether the current token can start an expression.
    var startsExpression: Bool {
        switch current.kind {
        case .name, .int, .float, .string, .placeholder: return true
        case .op(let op): return [.lparen, .lbracket, .lbrace, .minus, .plus, .tilde, .star, .doubleStar].contains(op)
        default: return false
        }
    }

    mutating func expression() throws -> PyExpr {
        let value = try sum()
        try rejectTrailingOperator()
        return value
    }

    /// After a complete expression: comparisons, bit operators and keywords such as `if`,
    /// `and`, `for` would continue it in Python; the config language has none of them.
    private func rejectTrailingOperator() throws {
        if let op = current.op {
            let unsupported: [PyOp] = [.lt, .gt, .eq, .ne, .le, .ge, .pipe, .amp, .caret, .lshift, .rshift, .doubleStar, .doubleSlash, .percent, .at]
            if unsupported.contains(op) {
                throw error(.unsupported, "operator '\(op.rawValue)' is not allowed in config files (only + - * /)", at: current.start)
            }
        }
        if let name = current.name, ["if", "else", "and", "or", "in", "is", "not"].contains(name) {
            throw error(.unsupported, "\(PyKeywords.expressionConstruct(name)) not allowed in config files", at: current.start)
        }
    }

    private mutating func sum() throws -> PyExpr {
        var left = try term()
        while let op = current.op, op == .plus || op == .minus {
            let offset = current.start
            advance()
            let right = try term()
            left = try binary(op, left, right, at: offset)
        }
        return left
    }

    private mutating func term() throws -> PyExpr {
        var left = try unary()
        while let op = current.op, op == .star || op == .slash {
            let offset = current.start
            advance()
            let right = try unary()
            left = try binary(op, left, right, at: offset)
        }
        try rejectTrailingOperator()
        return left
    }

    private mutating func binary(_ op: PyOp, _ left: PyExpr, _ right: PyExpr, at offset: Int) throws -> PyExpr {
        for side in [left, right] where side.isPlaceholder {
            throw placeholderInExpression(side)
        }
        return try node(.binary(op, left, right), at: offset, children: [left, right])
    }

    func placeholderInExpression(_ e: PyExpr) -> ConfigError {
        error(.placeholder, "a {{_base_...}} placeholder must be a whole value, not part of an expression; write _base_.x instead (e.g. _base_.lr * 2)", at: e.offset)
    }

    private mutating func unary() throws -> PyExpr {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > 2 * maxDepth {
            throw error(.limit, "expression nested too deeply (more than \(2 * maxDepth) levels)", at: current.start)
        }
        let token = current
        if let op = token.op {
            switch op {
            case .minus, .plus:
                advance()
                let operand = try unary()
                if operand.isPlaceholder { throw placeholderInExpression(operand) }
                return try node(.unary(op, operand), at: token.start, children: [operand])
            case .tilde:
                throw error(.unsupported, "operator '~' is not allowed in config files", at: token.start)
            case .star, .doubleStar:
                throw error(.unsupported, "unpacking ('\(op.rawValue)') is not allowed in config files", at: token.start)
            default: break
            }
        }
        if let name = token.name, ["not", "lambda", "await", "yield"].contains(name) {
            throw error(.unsupported, "\(PyKeywords.expressionConstruct(name)) not allowed in config files", at: token.start)
        }
        return try postfix()
    }

    private mutating func postfix() throws -> PyExpr {
        var e = try atom()
        while true {
            if isOp(.dot) {
                advance()
                guard let name = current.name, !PyKeywords.hard.contains(name) else {
                    throw error(.syntax, "expected a name after '.', found \(current.describe)", at: current.start)
                }
                if e.isPlaceholder { throw placeholderInExpression(e) }
                e = try node(.attribute(e, name), at: current.start, children: [e])
                advance()
            } else if isOp(.lbracket) {
                if e.isPlaceholder { throw placeholderInExpression(e) }
                e = try subscriptOrSlice(e)
            } else if isOp(.lparen) {
                e = try call(e)
            } else {
                return e
            }
        }
    }

    private mutating func subscriptOrSlice(_ base: PyExpr) throws -> PyExpr {
        advance()  // [
        let offset = current.start
        let lower = isOp(.colon) ? nil : try expression()
        if accept(.colon) {
            let upper = (isOp(.rbracket) || isOp(.colon)) ? nil : try expression()
            if isOp(.colon) {
                throw error(.unsupported, "slice steps (x[a:b:c]) are not allowed in config files", at: current.start)
            }
            try expect(.rbracket, "to close the slice")
            let children = [base] + [lower, upper].compactMap { $0 }
            return try node(.slice(base, lower, upper), at: offset, children: children)
        }
        if isOp(.comma) {
            throw error(.unsupported, "tuple subscripts (x[a, b]) are not allowed in config files", at: current.start)
        }
        try expect(.rbracket, "to close the subscript")
        return try node(.index(base, lower!), at: offset, children: [base, lower!])
    }

    /// `dict(k=v, ...)`: the only call the config language has.
    private mutating func call(_ callee: PyExpr) throws -> PyExpr {
        guard case .name("dict") = callee.kind else {
            let what = source.text(callee.offset, current.start)
            throw error(.unsupported, "only dict(...) may be called; '\(what)' is not supported", at: callee.offset)
        }
        advance()  // (
        var keywords: [(name: String, offset: Int, value: PyExpr)] = []
        var seen: [String: Int] = [:]
        while !isOp(.rparen) {
            let token = current
            guard let name = token.name, tokens[p + 1].op == .assign else {
                if token.op == .star || token.op == .doubleStar {
                    throw error(.unsupported, "unpacking ('\(token.op!.rawValue)') is not allowed in dict(...)", at: token.start)
                }
                throw error(.unsupported, "dict(...) takes keyword arguments only (key=value)", at: token.start)
            }
            if PyKeywords.hard.contains(name) {
                throw error(.syntax, "'\(name)' is a Python keyword and cannot be a keyword argument; use {'\(name)': ...}", at: token.start)
            }
            if let first = seen[name] {
                throw error(.syntax,
                    "keyword '\(name)' given twice in dict(...) (first at \(source.position(first)), again at \(source.position(token.start)))",
                    at: token.start)
            }
            seen[name] = token.start
            advance()
            advance()  // =
            keywords.append((name, token.start, try expression()))
            if !accept(.comma) { break }
        }
        try expect(.rparen, "to close dict(")
        return try node(.dictCall(keywords), at: callee.offset, children: keywords.map(\.value))
    }

    /// Builds a node, checking the depth limit (twice the value limit: operators and
    /// subscripts add levels that values do not have).
    func node(_ kind: PyExpr.Kind, at offset: Int, children: [PyExpr]) throws -> PyExpr {
        var depth = 0
        for child in children where child.depth > depth { depth = child.depth }
        guard depth < 2 * maxDepth else {
            throw error(.limit, "expression nested too deeply (more than \(2 * maxDepth) levels)", at: offset)
        }
        return PyExpr(kind: kind, offset: offset, depth: depth + 1)
    }
}
