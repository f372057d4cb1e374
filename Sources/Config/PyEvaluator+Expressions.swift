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
            let objects = try displayItems(items)
            if let values = allValues(objects) {
                return try checked(isTuple ? .tuple(values) : .list(values), at: e.offset)
            }
            // Only types (for isinstance) and functions may sit in a tuple or list with no value.
            for (item, object) in zip(items, objects) {
                switch object {
                case .value, .builtin, .function, .module: continue
                default:
                    throw source.error(.evaluation,
                        "a \(object.typeName) cannot be an element of a list or tuple here; convert it first (list(...), sorted(...))",
                        at: item.offset)
                }
            }
            return (.objects(objects, isTuple: isTuple), 0)
        case .set(let items):
            let objects = try displayItems(items)
            guard let values = allValues(objects) else {
                throw source.error(.evaluation, "a set holds values only", at: e.offset)
            }
            try chargeReading(.set(values), at: e.offset)
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
            let owner = try evaluate(inner)
            return try attribute(owner.object, name, of: inner, at: e.offset, ownerDepth: owner.depth)
        case .index(let inner, let index):
            let owned = try evaluate(inner)
            let owner = owned.object
            let key = try value(index)
            let reader = PyAccessRead(source: source, maxDepth: maxDepth, ownerDepth: owned.depth)
            switch owner {
            case .value(let v):
                if case .string(let s) = v { try charge(s.utf8.count, at: e.offset) }  // indexing a str walks it
                let read = try reader.item(v, key, of: inner, at: e.offset)
                return (.value(read.value), read.depth)
            case .range, .objects:
                try chargeReading(owner, at: e.offset)
                let elements = try located(e.offset) { try PySemantics.elements(owner) }
                let read = try reader.item(.list(elements), key, of: inner, at: e.offset)
                return (.value(read.value), read.depth)
            default:
                throw source.error(.evaluation, "'\(owner.typeName)' object is not subscriptable", at: e.offset)
            }
        case .slice(let inner, let lower, let upper, let step):
            let owned = try evaluate(inner)
            try operand(owned.object, at: inner.offset)
            guard case .value(let owner) = owned.object else {
                throw source.error(.evaluation, "'\(owned.object.typeName)' object cannot be sliced here (use list(...) first)", at: e.offset)
            }
            let lo = try lower.map { try value($0) }
            let hi = try upper.map { try value($0) }
            let st = try step.map { try value($0) }
            if case .string(let s) = owner { try charge(s.utf8.count, at: e.offset) }
            let read = try PyAccessRead(source: source, maxDepth: maxDepth, ownerDepth: owned.depth).slice(owner, lo, hi, st, of: inner, at: e.offset)
            try charge(size(read.value), at: e.offset)
            return (.value(read.value), read.depth)
        case .unary(let op, let inner):
            let v = try value(inner)
            return (.value(try located(e.offset) { try PyArithmetic.unary(op, v) }), 0)
        case .binary(let op, let lhs, let rhs):
            let a = try evaluate(lhs), b = try evaluate(rhs)
            guard case .value(let x) = a.object, case .value(let y) = b.object else {
                throw source.error(.evaluation,
                    "unsupported operand types for \(op.rawValue): '\(a.object.typeName)' and '\(b.object.typeName)'", at: e.offset)
            }
            try rejectToken(x, at: lhs.offset)
            try rejectToken(y, at: rhs.offset)
            if op == .percent, case .string = x { try chargeReading(b.object, at: rhs.offset) }  // formatting walks the arguments
            let result = try located(e.offset) { try PyArithmetic.binary(op, x, y) }
            guard result.elements != nil || result.dictValue != nil || result.stringValue != nil else { return (.value(result), 0) }
            return try checked(result, at: e.offset)
        case .not(let inner):
            let o = try evaluate(inner).object
            try operand(o, at: inner.offset)
            return (.value(.bool(!PySemantics.truth(o))), 0)
        case .boolean(let isAnd, let items):
            var result = try evaluate(items[0])
            for item in items.dropFirst() {
                try operand(result.object, at: e.offset)
                let truth = PySemantics.truth(result.object)
                if isAnd ? !truth : truth { return result }
                result = try evaluate(item)
            }
            return result
        case .compare(let first, let pairs):
            var left = try evaluate(first).object
            try operand(left, at: first.offset)
            try chargeReading(left, at: first.offset)
            for (op, operandExpr) in pairs {
                let right = try evaluate(operandExpr).object
                try operand(right, at: operandExpr.offset)
                try chargeReading(right, at: operandExpr.offset)
                if !(try compare(left, op, right, at: operandExpr.offset)) { return (.value(.bool(false)), 0) }
                left = right
            }
            return (.value(.bool(true)), 0)
        case .conditional(let test, let body, let orElse):
            let condition = try evaluate(test).object
            try operand(condition, at: test.offset)
            return try evaluate(PySemantics.truth(condition) ? body : orElse)
        case .formatted(let parts):
            return try checked(.string(try formatted(parts)), at: e.offset)
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
    private mutating func displayItems(_ items: [PyExpr]) throws -> [PyObject] {
        var objects: [PyObject] = []
        for item in items {
            if case .starred(let inner) = item.kind {
                let spread = try evaluate(inner).object
                try operand(spread, at: inner.offset)
                let values = try located(inner.offset) { try PySemantics.elements(spread) }
                try charge(values.count, at: item.offset)
                objects += values.map { .value($0) }
            } else {
                objects.append(try evaluate(item).object)
            }
            try located(item.offset) { try PySemantics.checkSize(objects.count) }
        }
        return objects
    }

    private mutating func dictDisplay(_ pairs: [(key: PyExpr?, value: PyExpr)], at offset: Int) throws -> Evaluated {
        var dict = ConfigDict()
        for pair in pairs {
            guard let keyExpr = pair.key else {
                let spread = try value(pair.value)
                guard case .dict(let other) = spread else {
                    throw source.error(.evaluation, "'\(spread.typeName)' object is not a mapping (after **)", at: pair.value.offset)
                }
                try charge(other.count, at: pair.value.offset)
                for (k, v) in other { dict[k] = v }  // a repeated key keeps its first position and takes the last value
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
        }
        return try checked(.dict(dict), at: offset)
    }

    /// `x.name`: a method of a str, dict, list or tuple; a key of a dict (mmengine's
    /// ConfigDict reads keys as attributes); `os.path` and its functions.
    private func attribute(_ owner: PyObject, _ name: String, of inner: PyExpr, at offset: Int, ownerDepth: Int) throws -> Evaluated {
        try operand(owner, at: inner.offset)
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
                let read = try PyAccessRead(source: source, maxDepth: maxDepth, ownerDepth: ownerDepth).attribute(v, name, of: inner, at: offset)
                return (.value(read.value), read.depth)
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
                try operand(object, at: e.offset)
                try chargeReading(object, at: e.offset)
                switch conversion {
                case "r": object = .value(.string(PySemantics.repr(object)))
                case "a": object = .value(.string(PyStrFormat.ascii(PySemantics.repr(object))))
                case "s": object = .value(.string(PySemantics.str(object)))
                default: break
                }
                let spec = try formatted(specParts)
                out += try located(e.offset) { try PyFormatSpec.format(object, spec) }
            }
            try located(0) { try PySemantics.checkText(out) }
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
