/// Expressions: values, displays with unpacking, access, operators, comparisons, boolean and
/// conditional expressions, f-strings. Calls and comprehensions are in PyEvaluator+Calls.
extension PyEvaluator {
    mutating func evaluate(_ e: PyExpr) throws -> Evaluated {
        try charge(1, at: e.offset)
        switch e.kind {
        case .constant(let v):
            return (.value(v), v.elements == nil ? 0 : 1)
        case .name(let name):
            return try lookup(name, at: e.offset)
        case .placeholder(let path):
            return (.value(.string(placeholders.add(path: path, offset: e.offset))), 0)
        case .list(let items), .tuple(let items):
            let isTuple: Bool
            if case .tuple = e.kind { isTuple = true } else { isTuple = false }
            let (objects, depths) = try displayItems(items)
            if let values = allValues(objects) {
                return try container(isTuple ? .tuple(values) : .list(values), depths, at: e.offset)
            }
            return (.objects(objects, isTuple: isTuple), 0)
        case .set(let items):
            let (objects, _) = try displayItems(items)
            guard let values = allValues(objects) else {
                throw source.error(.evaluation, "a set holds values only", at: e.offset)
            }
            return (.set(try located(e.offset) { try PyBuiltins.unique(values) }), 0)
        case .starred:
            throw source.error(.syntax, "can't use starred expression here", at: e.offset)
        case .dictDisplay(let pairs):
            return try dictDisplay(pairs, at: e.offset)
        case .comprehension(let kind, let element, let clauses):
            return try comprehension(kind, element, clauses, at: e.offset)
        case .dictComprehension(let key, let value, let clauses):
            return try dictComprehension(key, value, clauses, at: e.offset)
        case .call(let callee, let arguments):
            return try call(callee, arguments, at: e.offset)
        case .attribute(let inner, let name):
            return try attribute(try evaluate(inner).object, name, of: inner, at: e.offset)
        case .index(let inner, let index):
            let owner = try evaluate(inner).object
            let key = try value(index)
            switch owner {
            case .value(let v):
                let read = try PyAccessRead(source: source, maxDepth: maxDepth).item(v, key, of: inner, at: e.offset)
                return (.value(read.value), read.depth)
            case .range, .objects:
                let elements = try located(e.offset) { try PySemantics.elements(owner) }
                let read = try PyAccessRead(source: source, maxDepth: maxDepth).item(.list(elements), key, of: inner, at: e.offset)
                return (.value(read.value), read.depth)
            default:
                throw source.error(.evaluation, "'\(owner.typeName)' object is not subscriptable", at: e.offset)
            }
        case .slice(let inner, let lower, let upper, let step):
            let owner = try value(inner)
            let lo = try lower.map { try value($0) }
            let hi = try upper.map { try value($0) }
            let st = try step.map { try value($0) }
            let read = try PyAccessRead(source: source, maxDepth: maxDepth).slice(owner, lo, hi, st, of: inner, at: e.offset)
            try charge(size(read.value), at: e.offset)
            return (.value(read.value), read.depth)
        case .unary(let op, let inner):
            let v = try value(inner)
            try rejectToken(v, at: inner.offset)
            return (.value(try located(e.offset) { try PyArithmetic.unary(op, v) }), 0)
        case .binary(let op, let lhs, let rhs):
            let a = try evaluate(lhs), b = try evaluate(rhs)
            guard case .value(let x) = a.object, case .value(let y) = b.object else {
                throw source.error(.evaluation,
                    "unsupported operand types for \(op.rawValue): '\(a.object.typeName)' and '\(b.object.typeName)'", at: e.offset)
            }
            try rejectToken(x, at: lhs.offset)
            try rejectToken(y, at: rhs.offset)
            let result = try located(e.offset) { try PyArithmetic.binary(op, x, y) }
            try charge(size(result), at: e.offset)
            return (.value(result), result.elements == nil && result.dictValue == nil ? 0 : max(a.depth, b.depth))
        case .not(let inner):
            return (.value(.bool(!PySemantics.truth(try evaluate(inner).object))), 0)
        case .boolean(let isAnd, let items):
            var result = try evaluate(items[0])
            for item in items.dropFirst() {
                let truth = PySemantics.truth(result.object)
                if isAnd ? !truth : truth { return result }
                result = try evaluate(item)
            }
            return result
        case .compare(let first, let pairs):
            var left = try evaluate(first).object
            for (op, operandExpr) in pairs {
                let right = try evaluate(operandExpr).object
                if !(try compare(left, op, right, at: operandExpr.offset)) { return (.value(.bool(false)), 0) }
                left = right
            }
            return (.value(.bool(true)), 0)
        case .conditional(let test, let body, let orElse):
            return try evaluate(PySemantics.truth(try evaluate(test).object) ? body : orElse)
        case .formatted(let parts):
            let text = try formatted(parts)
            try charge(text.unicodeScalars.count, at: e.offset)
            return (.value(.string(text)), 0)
        }
    }

    /// Runs `body`, turning an unlocated failure into an error at `offset`.
    func located<T>(_ offset: Int, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as ArithmeticError {
            throw source.error(.evaluation, failure.message, at: offset)
        }
    }

    func size(_ v: ConfigValue) -> Int {
        switch v {
        case .string(let s): return s.utf8.count / 8
        case .list(let items), .tuple(let items): return items.count
        case .dict(let d): return d.count
        default: return 0
        }
    }

    func allValues(_ objects: [PyObject]) -> [ConfigValue]? {
        var values: [ConfigValue] = []
        values.reserveCapacity(objects.count)
        for o in objects {
            guard case .value(let v) = o else { return nil }
            values.append(v)
        }
        return values
    }

    /// The items of a list, tuple or set display, `*x` spread out.
    private mutating func displayItems(_ items: [PyExpr]) throws -> ([PyObject], [Int]) {
        var objects: [PyObject] = []
        var depths: [Int] = []
        for item in items {
            if case .starred(let inner) = item.kind {
                let spread = try evaluate(inner).object
                let values = try located(inner.offset) { try PySemantics.elements(spread) }
                try charge(values.count, at: item.offset)
                for v in values {
                    objects.append(.value(v))
                    depths.append(ValueDepth.of(v, limit: maxDepth))
                }
            } else {
                let v = try evaluate(item)
                objects.append(v.object)
                depths.append(v.depth)
            }
        }
        try located(items.first?.offset ?? 0) { try PySemantics.checkSize(objects.count) }
        return (objects, depths)
    }

    private mutating func dictDisplay(_ pairs: [(key: PyExpr?, value: PyExpr)], at offset: Int) throws -> Evaluated {
        var dict = ConfigDict()
        var depths: [Int] = []
        for pair in pairs {
            guard let keyExpr = pair.key else {
                let spread = try value(pair.value)
                guard case .dict(let other) = spread else {
                    throw source.error(.evaluation, "'\(spread.typeName)' object is not a mapping (after **)", at: pair.value.offset)
                }
                try charge(other.count, at: pair.value.offset)
                for (k, v) in other {
                    dict[k] = v  // a repeated key keeps its first position and takes the last value
                    depths.append(ValueDepth.of(v, limit: maxDepth))
                }
                continue
            }
            let key = try value(keyExpr)
            guard case .string(let k) = key, PlaceholderTable.index(ofToken: k) == nil else {
                throw source.error(.evaluation, "dict keys must be strings, got \(key.typeName) \(key.brief)", at: keyExpr.offset)
            }
            let v = try evaluate(pair.value)
            guard case .value(let item) = v.object else {
                throw source.error(.evaluation, "a \(v.object.typeName) cannot be a config value", at: pair.value.offset)
            }
            dict[k] = item
            depths.append(v.depth)
        }
        return try container(.dict(dict), depths, at: offset)
    }

    func container(_ value: ConfigValue, _ depths: [Int], at offset: Int) throws -> Evaluated {
        let depth = (depths.max() ?? 0) + 1
        guard depth <= maxDepth else {
            throw source.error(.limit, "value nested too deeply (more than \(maxDepth) levels)", at: offset)
        }
        return (.value(value), depth)
    }

    /// `x.name`: a method of a str, dict, list or tuple; a key of a dict (mmengine's
    /// ConfigDict reads keys as attributes); `os.path` and its functions.
    private func attribute(_ owner: PyObject, _ name: String, of inner: PyExpr, at offset: Int) throws -> Evaluated {
        switch owner {
        case .module(let module):
            return (try located(offset) { try PathFunctions.attribute(of: module, name) }, 0)
        case .value(let v):
            if PyMethods.has(v, name) { return (.method(v, name), 0) }
            if PyMethods.mutating.contains(name), v.elements != nil || v.dictValue != nil {
                throw source.error(.unsupported,
                    "'\(name)' would change a value in place, which config files do not do; build a new value (x = x + [...], dict(**x, k=v))",
                    at: offset)
            }
            if case .dict = v {
                let read = try PyAccessRead(source: source, maxDepth: maxDepth).attribute(v, name, of: inner, at: offset)
                return (.value(read.value), read.depth)
            }
            if case .string(let s) = v, PlaceholderTable.index(ofToken: s) != nil {
                _ = try PyAccessRead(source: source, maxDepth: maxDepth).attribute(v, name, of: inner, at: offset)
            }
            throw source.error(.evaluation, "\(PyRender.path(inner)) is a \(v.typeName); it has no attribute '\(name)'", at: offset)
        default:
            throw source.error(.unsupported, "attribute '\(name)' of a \(owner.typeName) is not available in config files", at: offset)
        }
    }

    private func compare(_ left: PyObject, _ op: PyCompareOp, _ right: PyObject, at offset: Int) throws -> Bool {
        switch op {
        case .eq: return PySemantics.equal(left, right)
        case .ne: return !PySemantics.equal(left, right)
        case .isIn, .notIn:
            guard case .value(let x) = left else { return op == .notIn }
            let found = try located(offset) { try PySemantics.contains(right, x) }
            return op == .isIn ? found : !found
        case .isSame, .isNotSame:
            let same: Bool
            switch (left, right) {
            case (.value(.none), .value(let v)), (.value(let v), .value(.none)): same = v.isNone
            case (.value(.bool(let a)), .value(.bool(let b))): same = a == b
            case (.builtin(let a), .builtin(let b)), (.module(let a), .module(let b)): same = a == b
            default:
                throw source.error(.unsupported,
                    "'is' compares object identity, which config values do not have here; use == (or 'is None')", at: offset)
            }
            return op == .isSame ? same : !same
        default:
            guard case .value(let a) = left, case .value(let b) = right else {
                throw source.error(.evaluation,
                    "'\(op.rawValue)' not supported between instances of '\(left.typeName)' and '\(right.typeName)'", at: offset)
            }
            return try located(offset) {
                switch op {
                case .lt: return try PySemantics.less(a, b, "<")
                case .gt: return try PySemantics.less(b, a, ">")
                case .le: return try !PySemantics.less(b, a, "<=")
                default: return try !PySemantics.less(a, b, ">=")
                }
            }
        }
    }

    /// The text of an f-string.
    private mutating func formatted(_ parts: [PyFormatPart]) throws -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text):
                out += text
            case .field(let e, let conversion, let specParts):
                var object = try evaluate(e).object
                if case .value(let v) = object { try rejectToken(v, at: e.offset) }
                switch conversion {
                case "r", "a": object = .value(.string(PySemantics.repr(object)))
                case "s": object = .value(.string(PySemantics.str(object)))
                default: break
                }
                let spec = try formatted(specParts)
                out += try located(e.offset) { try PyFormatSpec.format(object, spec) }
            }
            try located(0) { try PySemantics.checkSize(out.unicodeScalars.count) }
        }
        return out
    }

    /// A placeholder token used as an operand (through a name) is as misplaced as a
    /// placeholder written in the expression.
    func rejectToken(_ v: ConfigValue, at offset: Int) throws {
        if case .string(let s) = v, PlaceholderTable.index(ofToken: s) != nil {
            throw source.error(.placeholder,
                "a {{_base_...}} placeholder must be a whole value, not part of an expression; write _base_.x instead", at: offset)
        }
    }
}
