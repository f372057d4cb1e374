/// Calls (builtins, methods, `os.path` functions, with `*args` / `**kwargs`) and
/// comprehensions (their variables in their own scope, as in Python 3).
extension PyEvaluator {
    mutating func call(_ calleeExpr: PyExpr, _ arguments: [PyArgument], at offset: Int) throws -> Evaluated {
        let callee = try evaluate(calleeExpr).object
        var args: [PyObject] = []
        var kwargs: [(String, PyObject)] = []
        var keywordNames = Set<String>()
        // dict(k=v) stores its keyword values; every other argument is operated on.
        let storesKeywords = { if case .builtin("dict") = callee { return true } else { return false } }()
        func addKeyword(_ name: String, _ o: PyObject, at offset: Int) throws {
            if !keywordNames.insert(name).inserted {
                throw source.error(.evaluation, "\(PyRender.path(calleeExpr))() got multiple values for keyword argument '\(name)'", at: offset)
            }
            kwargs.append((name, o))
        }
        for argument in arguments {
            switch argument {
            case .positional(let e):
                let o = try evaluate(e).object
                try operand(o, at: e.offset)
                try chargeReading(o, at: e.offset)
                args.append(o)
            case .keyword(let name, let at, let e):
                let o = try evaluate(e).object
                if !storesKeywords { try operand(o, at: e.offset) }
                try addKeyword(name, o, at: at)
            case .star(let e):
                let spread = try evaluate(e).object
                try operand(spread, at: e.offset)
                let values = try located(e.offset) { try PySemantics.elements(spread) }
                try charge(values.count, at: e.offset)
                for v in values { try chargeReading(.value(v), at: e.offset) }
                args += values.map { .value($0) }
            case .doubleStar(let e):
                let spread = try value(e)
                guard case .dict(let d) = spread else {
                    throw source.error(.evaluation, "argument after ** must be a mapping, not \(spread.typeName)", at: e.offset)
                }
                for (k, v) in d { try addKeyword(k, .value(v), at: e.offset) }
            }
        }
        if case .method(let receiver, _) = callee { try chargeReading(.value(receiver), at: offset) }
        let result = try located(offset) { try Self.call(callee, args, kwargs, budget: budget) }
        guard case .value(let v) = result else {
            // What a set or an iterator holds was built (a set's hashing counted three times over).
            try charge((isSet(result) ? 3 : 1) * PySemantics.weight(result), at: offset)
            return (result, 0)
        }
        return try checked(v, at: offset)
    }

    /// Calls a callable object; `key=`, `map` and `filter` call theirs through it too, each
    /// call paid by what it reads and builds.
    static func call(_ callee: PyObject, _ args: [PyObject], _ kwargs: [(String, PyObject)], budget: PyBudget) throws -> PyObject {
        switch callee {
        case .builtin(let name):
            return try PyBuiltins.call(name, args, kwargs) { function, arguments in
                try budget.pay(PySemantics.weight(function) + arguments.reduce(0) { $0 + PySemantics.weight($1) })
                let result = try call(function, arguments, [], budget: budget)
                try budget.pay(PySemantics.weight(result))
                return result
            }
        case .function(let dotted): return try PathFunctions.call(dotted, args, kwargs)
        case .method(let receiver, let name): return try PyMethods.call(receiver, name, args, kwargs)
        default: throw ArithmeticError("'\(callee.typeName)' object is not callable")
        }
    }

    // MARK: - Comprehensions

    mutating func comprehension(_ kind: PyComprehensionKind, _ element: PyExpr, _ clauses: [PyClause], at offset: Int) throws -> Evaluated {
        var values: [ConfigValue] = []
        try runClauses(clauses, at: offset) { evaluator in
            let v = try evaluator.evaluate(element)
            guard case .value(let item) = v.object else {
                throw evaluator.source.error(.evaluation, "a \(v.object.typeName) cannot be an element here", at: element.offset)
            }
            values.append(item)
            try evaluator.located(element.offset) { try PySemantics.checkSize(values.count) }
        }
        switch kind {
        case .list: return try checked(.list(values), at: offset)
        case .set:
            try chargeReading(.set(values), at: offset)
            return (.set(try located(offset) { try PyBuiltins.unique(values) }), 0)
        case .generator:
            try chargeReading(.iterator(values, kind: "generator"), at: offset)
            return (.iterator(values, kind: "generator"), 0)
        }
    }

    mutating func dictComprehension(_ key: PyExpr, _ value: PyExpr, _ clauses: [PyClause], at offset: Int) throws -> Evaluated {
        var dict = ConfigDict()
        try runClauses(clauses, at: offset) { evaluator in
            let k = try evaluator.value(key)
            guard case .string(let name) = k else {
                throw evaluator.source.error(.evaluation, "dict keys must be strings in a config, got \(k.typeName) \(k.brief)", at: key.offset)
            }
            let v = try evaluator.evaluate(value)
            guard case .value(let item) = v.object else {
                throw evaluator.source.error(.evaluation, "a \(v.object.typeName) cannot be a config value", at: value.offset)
            }
            dict[name] = item
            try evaluator.located(key.offset) { try PySemantics.checkSize(dict.count) }
        }
        return try checked(.dict(dict), at: offset)
    }

    /// Runs the clauses in a new scope, calling `body` for each binding that passes the
    /// filters. The first iterable is evaluated outside the scope, as Python does.
    private mutating func runClauses(_ clauses: [PyClause], at offset: Int, _ body: (inout PyEvaluator) throws -> Void) throws {
        guard case .loop(let pattern, let iterable)? = clauses.first else { return }
        let first = try evaluate(iterable).object
        try operand(first, at: iterable.offset)
        scopes.append([:])
        defer { scopes.removeLast() }
        try loop(clauses, 0, firstIterable: first, pattern: pattern, body)
    }

    private mutating func loop(_ clauses: [PyClause], _ index: Int, firstIterable: PyObject?, pattern: PyPattern?,
                               _ body: (inout PyEvaluator) throws -> Void) throws {
        guard index < clauses.count else {
            try body(&self)
            return
        }
        switch clauses[index] {
        case .filter(let condition):
            if PySemantics.truth(try evaluate(condition).object) {
                try loop(clauses, index + 1, firstIterable: nil, pattern: nil, body)
            }
        case .loop(let target, let iterable):
            let source = try firstIterable ?? evaluate(iterable).object
            try operand(source, at: iterable.offset)
            let items = try located(iterable.offset) { try PySemantics.elements(source) }
            for item in items {
                try charge(1, at: iterable.offset)
                for (name, v) in try destructure(target, .value(item)) {
                    scopes[scopes.count - 1][name] = (.value(v), v.elements == nil && v.dictValue == nil ? 0 : maxDepth)
                }
                try loop(clauses, index + 1, firstIterable: nil, pattern: nil, body)
            }
        }
    }

    private func isSet(_ o: PyObject) -> Bool {
        if case .set = o { return true } else { return false }
    }
}
