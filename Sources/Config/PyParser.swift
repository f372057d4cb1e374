/// Recursive-descent parser for the config subset of Python (reference §1.4): module-level
/// assignments to names and to `_base_` paths, and the expressions of PyParser+Expressions.
/// Everything else is rejected with the construct named and its position. Recursion is bounded
/// by the lexer's bracket limit and by `maxDepth` on expression depth.
struct PyParser {
    let source: SourceText
    let maxDepth: Int
    let tokens: [PyToken]
    var p = 0
    /// Current recursion depth of the expression parser.
    var nesting = 0

    /// Parses a whole file.
    static func parse(_ source: SourceText, maxDepth: Int) throws -> PyModule {
        let tokens = try PyLexer.tokenize(source, maxDepth: maxDepth)
        var parser = PyParser(source: source, maxDepth: maxDepth, tokens: tokens)
        return try parser.module()
    }

    var current: PyToken { tokens[p] }

    mutating func advance() { if p < tokens.count - 1 { p += 1 } }

    func isOp(_ op: PyOp) -> Bool { current.op == op }

    mutating func accept(_ op: PyOp) -> Bool {
        guard isOp(op) else { return false }
        advance()
        return true
    }

    mutating func expect(_ op: PyOp, _ context: @autoclosure () -> String) throws {
        guard accept(op) else {
            throw source.error(.syntax, "expected '\(op.rawValue)' \(context()), found \(current.describe)", at: current.start)
        }
    }

    func error(_ kind: ConfigError.Kind, _ message: String, at offset: Int) -> ConfigError {
        source.error(kind, message, at: offset)
    }

    // MARK: - Statements

    private mutating func module() throws -> PyModule {
        var module = PyModule()
        while true {
            switch current.kind {
            case .end: return module
            case .newline: advance()
            case .indent:
                throw error(.syntax, "unexpected indentation (top-level statements start in column 1)", at: current.start)
            default:
                try statement(into: &module)
            }
        }
    }

    private mutating func statement(into module: inout PyModule) throws {
        let start = current
        if start.name == "import" || start.name == "from" {
            try importStatement(into: &module)
            return
        }
        if let name = start.name, PyKeywords.hard.contains(name), !["True", "False", "None", "lambda", "not", "await"].contains(name) {
            throw error(.unsupported, "\(PyKeywords.statementConstruct(name)) not allowed in config files", at: start.start)
        }
        var exprs = [try expressionList()]
        while accept(.assign) {
            exprs.append(try expressionList())
        }
        if let op = current.op, op.isAugmentedAssign {
            throw error(.unsupported, "augmented assignment ('\(op.rawValue)') is not allowed; write x = x \(op.rawValue.dropLast()) ...", at: current.start)
        }
        if isOp(.colon) {
            throw error(.unsupported, "annotations ('name: type = value') are not allowed in config files", at: current.start)
        }
        if isOp(.walrus) {
            throw error(.unsupported, "assignment expressions (':=') are not allowed in config files", at: current.start)
        }
        try endOfStatement()
        let value = exprs.removeLast()
        if exprs.isEmpty {
            module.statements.append(.expression(value))
            return
        }
        if exprs.count == 1, case .name("_base_") = exprs[0].kind {
            try baseDeclaration(value, at: start.start, into: &module)
            return
        }
        let targets = try exprs.map(target)
        module.statements.append(.assign(targets: targets, value: value, offset: start.start))
    }

    private mutating func endOfStatement() throws {
        switch current.kind {
        case .newline, .end: advance()
        case .op(.semicolon): advance()
        default:
            switch current.name {
            case "for":
                throw error(.syntax, "a comprehension needs brackets: [x for x in ...] or (x for x in ...)", at: current.start)
            case "else":
                throw error(.syntax, "'else' without 'if' (a conditional expression is x if c else y)", at: current.start)
            case let name? where PyKeywords.hard.contains(name):
                throw error(.unsupported, "\(PyKeywords.expressionConstruct(name)) not allowed in config files", at: current.start)
            default:
                throw error(.syntax, "expected the end of the statement, found \(current.describe)", at: current.start)
            }
        }
    }

    /// `_base_ = 'a.py'` or `_base_ = ['a.py', 'b.py']`: string literals only.
    private func baseDeclaration(_ value: PyExpr, at offset: Int, into module: inout PyModule) throws {
        if module.baseOffset != nil {
            throw error(.base, "_base_ is assigned twice; list every base in one _base_ = [...]", at: offset)
        }
        func literal(_ e: PyExpr) throws -> PyModule.BaseEntry {
            guard case .constant(.string(let path)) = e.kind else {
                throw error(.base, "_base_ must be a string or a list of strings (file paths)", at: e.offset)
            }
            return .init(path: path, offset: e.offset)
        }
        switch value.kind {
        case .list(let items): module.bases = try items.map(literal)
        default: module.bases = [try literal(value)]
        }
        module.baseOffset = offset
    }

    /// Turns the left side of `=` into a target: a name, or a `_base_` path.
    private func target(_ e: PyExpr) throws -> PyTarget {
        var accesses: [PyAccess] = []
        var node = e
        while true {
            switch node.kind {
            case .name(let name):
                if ["True", "False", "None"].contains(name) {
                    throw error(.syntax, "cannot assign to \(name)", at: node.offset)
                }
                if accesses.isEmpty {
                    if name == "_base_" {
                        throw error(.base, "_base_ is assigned twice; list every base in one _base_ = [...]", at: node.offset)
                    }
                    return .name(name, offset: node.offset)
                }
                guard name == "_base_" else {
                    throw error(.unsupported,
                        "only names and _base_ paths can be assigned ('\(name)' is a value of this file; assign it whole: \(name) = dict(...))",
                        at: node.offset)
                }
                return .basePath(accesses.reversed(), offset: node.offset)
            case .attribute(let inner, let name):
                accesses.append(.attribute(name, offset: node.offset))
                node = inner
            case .index(let inner, let index):
                accesses.append(.index(index, offset: node.offset))
                node = inner
            case .tuple(let items), .list(let items):
                guard accesses.isEmpty else { throw error(.syntax, "cannot assign to this expression", at: node.offset) }
                return .unpack(try unpackPattern(items, at: node.offset))
            default:
                throw error(.syntax, "cannot assign to this expression", at: node.offset)
            }
        }
    }

    /// `h, w = ...`: names (possibly in nested tuples), nothing starred.
    private func unpackPattern(_ items: [PyExpr], at offset: Int) throws -> PyPattern {
        let starred = items.filter { if case .starred = $0.kind { return true } else { return false } }
        if starred.count > 1 { throw error(.syntax, "multiple starred expressions in assignment", at: starred[1].offset) }
        return .tuple(try items.map { item in
            switch item.kind {
            case .name(let name) where !["True", "False", "None", "_base_"].contains(name):
                return .name(name, offset: item.offset)
            case .tuple(let inner), .list(let inner):
                return try unpackPattern(inner, at: item.offset)
            case .starred(let inner):
                guard case .name(let name) = inner.kind else {
                    throw error(.unsupported, "only a name can be starred in an assignment (first, *rest = ...)", at: item.offset)
                }
                return .starred(name, offset: item.offset)
            default:
                throw error(.unsupported, "only names can be unpacked into (h, w = scale)", at: item.offset)
            }
        }, offset: offset)
    }

    // MARK: - Imports

    /// `import os`, `import os.path as osp`, `from os import path`, `from os.path import join`:
    /// what configs use to join paths. Any other module is an error.
    private mutating func importStatement(into module: inout PyModule) throws {
        let start = current.start
        if current.name == "import" {
            advance()
            repeat {
                let dotted = try dottedName()
                try Self.checkModule(dotted, at: start, source: source)
                if accept(name: "as") {
                    module.statements.append(.importName(name: try plainName(), object: dotted, offset: start))
                } else {
                    module.statements.append(.importName(name: "os", object: "os", offset: start))
                }
            } while accept(.comma)
        } else {
            advance()  // from
            if isOp(.dot) { throw error(.unsupported, "relative imports are not allowed in config files", at: current.start) }
            let dotted = try dottedName()
            try Self.checkModule(dotted, at: start, source: source)
            guard accept(name: "import") else {
                throw error(.syntax, "expected 'import' after 'from \(dotted)', found \(current.describe)", at: current.start)
            }
            if isOp(.star) { throw error(.unsupported, "'from \(dotted) import *' is not allowed in config files", at: current.start) }
            let parenthesized = accept(.lparen)
            repeat {
                if parenthesized && isOp(.rparen) { break }
                let nameStart = current.start
                let name = try plainName()
                let object = dotted + "." + name
                guard object == "os.path" || PathFunctions.isAllowed(object) else {
                    throw error(.unsupported, PathFunctions.refusal(object), at: nameStart)
                }
                let bound = accept(name: "as") ? try plainName() : name
                module.statements.append(.importName(name: bound, object: object, offset: start))
            } while accept(.comma)
            if parenthesized { try expect(.rparen, "to close the import list") }
        }
        try endOfStatement()
    }

    private mutating func accept(name: String) -> Bool {
        guard current.name == name else { return false }
        advance()
        return true
    }

    private mutating func plainName() throws -> String {
        guard let name = current.name, !PyKeywords.hard.contains(name) else {
            throw error(.syntax, "expected a name, found \(current.describe)", at: current.start)
        }
        advance()
        return name
    }

    private mutating func dottedName() throws -> String {
        var parts = [try plainName()]
        while accept(.dot) { parts.append(try plainName()) }
        return parts.joined(separator: ".")
    }

    private static func checkModule(_ dotted: String, at offset: Int, source: SourceText) throws {
        guard dotted == "os" || dotted == "os.path" else {
            throw source.error(.unsupported,
                "import of '\(dotted)' is not allowed in config files (only os and os.path, to join paths)", at: offset)
        }
    }
}
