/// Expressions, by Python's precedence: conditional `x if c else y`, `or`, `and`, `not`,
/// comparisons (chained, `in`, `is`), `+ -`, `* / // %`, unary `+ -`, `**`, then calls,
/// attributes, subscripts and slices on atoms. Bit operators, `@`, `lambda`, `await` and
/// `yield` are rejected where they appear, naming the construct.
extension PyParser {
    /// `a` or `a, *b, ...` (a bare tuple, as on the right of `x = 1, 2`).
    mutating func expressionList() throws -> PyExpr {
        let first = try starOrExpression()
        guard isOp(.comma) else {
            if case .starred = first.kind {
                throw error(.syntax, "can't use starred expression here", at: first.offset)
            }
            return first
        }
        var items = [first]
        while accept(.comma) {
            if startsExpression { items.append(try starOrExpression()) } else { break }
        }
        return try node(.tuple(items), at: first.offset, children: items)
    }

    /// Whether the current token can start an expression.
    var startsExpression: Bool {
        switch current.kind {
        case .name, .int, .float, .string, .formatted, .placeholder: return true
        case .op(let op): return [.lparen, .lbracket, .lbrace, .minus, .plus, .tilde, .star, .doubleStar].contains(op)
        default: return false
        }
    }

    /// `*x` (in displays, unpacked) or an expression.
    mutating func starOrExpression() throws -> PyExpr {
        if isOp(.star) {
            let start = current.start
            advance()
            let inner = try arithmetic()
            if inner.isPlaceholder { throw placeholderInExpression(inner) }
            return try node(.starred(inner), at: start, children: [inner])
        }
        return try expression()
    }

    mutating func expression() throws -> PyExpr {
        if current.name == "lambda" {
            throw error(.unsupported, "'lambda' is not allowed in config files", at: current.start)
        }
        let body = try disjunction()
        guard current.name == "if" else {
            try rejectTrailingOperator()
            return body
        }
        let offset = current.start
        advance()
        let test = try disjunction()
        guard current.name == "else" else {
            throw error(.syntax, "expected 'else' after the condition of 'x if c else y', found \(current.describe)", at: current.start)
        }
        advance()
        try enter()  // `a if c else b if d else ...` recurses here
        defer { nesting -= 1 }
        let orElse = try expression()
        for side in [body, test, orElse] where side.isPlaceholder { throw placeholderInExpression(side) }
        return try node(.conditional(test: test, body: body, orElse: orElse), at: offset, children: [test, body, orElse])
    }

    /// Operators Python has and the config language does not.
    private func rejectTrailingOperator() throws {
        if let op = current.op, [.pipe, .amp, .caret, .lshift, .rshift, .at].contains(op) {
            throw error(.unsupported, "operator '\(op.rawValue)' is not allowed in config files", at: current.start)
        }
    }

    mutating func disjunction() throws -> PyExpr {
        try booleanChain("or") { try $0.conjunction() }
    }

    private mutating func conjunction() throws -> PyExpr {
        try booleanChain("and") { try $0.inversion() }
    }

    private mutating func booleanChain(_ keyword: String, _ operand: (inout PyParser) throws -> PyExpr) throws -> PyExpr {
        let first = try operand(&self)
        guard current.name == keyword else { return first }
        var items = [first]
        while current.name == keyword {
            advance()
            items.append(try operand(&self))
        }
        for item in items where item.isPlaceholder { throw placeholderInExpression(item) }
        return try node(.boolean(isAnd: keyword == "and", items), at: first.offset, children: items)
    }

    private mutating func inversion() throws -> PyExpr {
        guard current.name == "not" else { return try comparison() }
        let offset = current.start
        try enter()
        defer { nesting -= 1 }
        advance()
        let operand = try inversion()
        if operand.isPlaceholder { throw placeholderInExpression(operand) }
        return try node(.not(operand), at: offset, children: [operand])
    }

    private mutating func comparison() throws -> PyExpr {
        let first = try arithmetic()
        var pairs: [(op: PyCompareOp, operand: PyExpr)] = []
        while let op = compareOperator() {
            let operand = try arithmetic()
            pairs.append((op, operand))
        }
        guard !pairs.isEmpty else { return first }
        let all = [first] + pairs.map(\.operand)
        for item in all where item.isPlaceholder { throw placeholderInExpression(item) }
        return try node(.compare(first, pairs), at: first.offset, children: all)
    }

    /// Consumes a comparison operator (`not in` and `is not` are two tokens).
    private mutating func compareOperator() -> PyCompareOp? {
        if let op = current.op {
            let table: [PyOp: PyCompareOp] = [.eq: .eq, .ne: .ne, .lt: .lt, .le: .le, .gt: .gt, .ge: .ge]
            guard let c = table[op] else { return nil }
            advance()
            return c
        }
        switch current.name {
        case "in":
            advance()
            return .isIn
        case "is":
            advance()
            if current.name == "not" { advance(); return .isNotSame }
            return .isSame
        case "not" where tokens[p + 1].name == "in":
            advance()
            advance()
            return .notIn
        default:
            return nil
        }
    }

    /// `+ -` over `* / // %`.
    mutating func arithmetic() throws -> PyExpr {
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
        var left = try factor()
        while let op = current.op, [.star, .slash, .doubleSlash, .percent].contains(op) {
            let offset = current.start
            advance()
            let right = try factor()
            left = try binary(op, left, right, at: offset)
        }
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

    private mutating func enter() throws {
        nesting += 1
        if nesting > 2 * maxDepth {
            throw error(.limit, "expression nested too deeply (more than \(2 * maxDepth) levels)", at: current.start)
        }
    }

    /// Unary `+ -` (binding looser than `**`: `-2 ** 2` is -4).
    private mutating func factor() throws -> PyExpr {
        try enter()
        defer { nesting -= 1 }
        let token = current
        if let op = token.op {
            switch op {
            case .minus, .plus:
                advance()
                let operand = try factor()
                if operand.isPlaceholder { throw placeholderInExpression(operand) }
                return try node(.unary(op, operand), at: token.start, children: [operand])
            case .tilde:
                throw error(.unsupported, "operator '~' is not allowed in config files", at: token.start)
            case .star, .doubleStar:
                throw error(.syntax, "unpacking ('\(op.rawValue)') is only allowed in lists, tuples, sets, dicts and call arguments", at: token.start)
            default: break
            }
        }
        if let name = token.name, ["lambda", "await", "yield"].contains(name) {
            throw error(.unsupported, "\(PyKeywords.expressionConstruct(name)) not allowed in config files", at: token.start)
        }
        return try power()
    }

    /// `a ** b` (right-associative; the exponent may carry a sign).
    private mutating func power() throws -> PyExpr {
        let base = try postfix()
        guard isOp(.doubleStar) else { return base }
        let offset = current.start
        advance()
        let exponent = try factor()
        return try binary(.doubleStar, base, exponent, at: offset)
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
                if e.isPlaceholder { throw placeholderInExpression(e) }
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
            var step: PyExpr?
            if accept(.colon), !isOp(.rbracket) { step = try expression() }
            try expect(.rbracket, "to close the slice")
            let children = [base] + [lower, upper, step].compactMap { $0 }
            return try node(.slice(base, lower, upper, step), at: offset, children: children)
        }
        if isOp(.comma) {
            throw error(.unsupported, "tuple subscripts (x[a, b]) are not allowed in config files", at: current.start)
        }
        try expect(.rbracket, "to close the subscript")
        return try node(.index(base, lower!), at: offset, children: [base, lower!])
    }

    /// `f(a, *b, k=v, **d)`, or `f(x for x in y)` (a generator as the only argument).
    private mutating func call(_ callee: PyExpr) throws -> PyExpr {
        let open = current.start
        advance()  // (
        var arguments: [PyArgument] = []
        var children: [PyExpr] = [callee]
        var seen: [String: Int] = [:]
        let calleeText = source.text(callee.offset, open)
        while !isOp(.rparen) {
            let token = current
            if accept(.star) {
                let value = try expression()
                arguments.append(.star(value))
                children.append(value)
            } else if accept(.doubleStar) {
                let value = try expression()
                arguments.append(.doubleStar(value))
                children.append(value)
            } else if let name = token.name, tokens[p + 1].op == .assign {
                if PyKeywords.hard.contains(name) {
                    throw error(.syntax, "'\(name)' is a Python keyword and cannot be a keyword argument; use {'\(name)': ...}", at: token.start)
                }
                if let first = seen[name] {
                    throw error(.syntax,
                        "keyword '\(name)' given twice in \(calleeText)(...) (first at \(source.position(first)), again at \(source.position(token.start)))",
                        at: token.start)
                }
                seen[name] = token.start
                advance()
                advance()  // =
                let value = try expression()
                arguments.append(.keyword(name, offset: token.start, value))
                children.append(value)
            } else {
                var value = try expression()
                if current.name == "for" {
                    guard arguments.isEmpty else {
                        throw error(.syntax, "a generator expression must be parenthesized unless it is the only argument", at: value.offset)
                    }
                    value = try comprehension(.generator, value, at: value.offset)
                    guard isOp(.rparen) else {
                        throw error(.syntax, "a generator expression must be parenthesized unless it is the only argument", at: value.offset)
                    }
                }
                if arguments.contains(where: { if case .keyword = $0 { return true } else { return false } }) {
                    throw error(.syntax, "positional argument follows keyword argument", at: value.offset)
                }
                if value.isPlaceholder { throw placeholderInExpression(value) }
                arguments.append(.positional(value))
                children.append(value)
            }
            if !accept(.comma) { break }
        }
        try expect(.rparen, "to close \(calleeText)(")
        return try node(.call(callee, arguments), at: callee.offset, children: children)
    }

    /// The `for ... in ... if ...` clauses after a comprehension's element (at `for`).
    mutating func comprehension(_ kind: PyComprehensionKind, _ element: PyExpr, at offset: Int) throws -> PyExpr {
        let clauses = try comprehensionClauses()
        return try node(.comprehension(kind, element, clauses.clauses), at: offset, children: [element] + clauses.children)
    }

    mutating func comprehensionClauses() throws -> (clauses: [PyClause], children: [PyExpr]) {
        var clauses: [PyClause] = []
        var children: [PyExpr] = []
        while true {
            if current.name == "async" {
                throw error(.unsupported, "'async' comprehensions are not allowed in config files", at: current.start)
            }
            guard current.name == "for" else { break }
            if clauses.count >= maxDepth {
                throw error(.limit, "more than \(maxDepth) clauses in one comprehension", at: current.start)
            }
            advance()
            let target = try pattern()
            guard current.name == "in" else {
                throw error(.syntax, "expected 'in' after the comprehension's target, found \(current.describe)", at: current.start)
            }
            advance()
            let iterable = try disjunction()
            clauses.append(.loop(target, iterable))
            children.append(iterable)
            while current.name == "if" {
                if clauses.count >= maxDepth {
                    throw error(.limit, "more than \(maxDepth) clauses in one comprehension", at: current.start)
                }
                advance()
                let condition = try disjunction()
                clauses.append(.filter(condition))
                children.append(condition)
            }
        }
        return (clauses, children)
    }

    /// The target of a `for`: names, possibly in (nested) tuples.
    private mutating func pattern() throws -> PyPattern {
        let start = current.start
        var items = [try patternItem()]
        while isOp(.comma) {
            advance()
            if current.name == "in" { break }
            items.append(try patternItem())
        }
        return items.count == 1 && !isOp(.comma) && tokens[p - 1].op != .comma ? items[0] : .tuple(items, offset: start)
    }

    private mutating func patternItem() throws -> PyPattern {
        let token = current
        if let close: PyOp = token.op == .lparen ? .rparen : token.op == .lbracket ? .rbracket : nil {
            try enter()
            defer { nesting -= 1 }
            advance()
            var items: [PyPattern] = []
            while !isOp(close) {
                items.append(try patternItem())
                if !accept(.comma) { break }
            }
            try expect(close, "to close the target")
            return .tuple(items, offset: token.start)
        }
        guard let name = token.name, !PyKeywords.hard.contains(name) else {
            throw error(.unsupported, "a comprehension's target must be names (x, or k, v), found \(token.describe)", at: token.start)
        }
        advance()
        return .name(name, offset: token.start)
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
