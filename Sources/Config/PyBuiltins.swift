import Foundation

/// The pure builtins that config files call: `len min max sum abs round int float str bool
/// list tuple set dict range sorted reversed zip enumerate isinstance any all map filter repr`.
/// Builtins that reach outside the config (`open`, `__import__`, `eval`, `getattr`, ...) are
/// refused by name.
enum PyBuiltins {
    typealias Failure = ArithmeticError

    /// The names that are types (`isinstance` takes them).
    static let types: Set<String> = ["int", "float", "str", "bool", "list", "tuple", "dict", "set", "range"]
    static let functions: Set<String> = [
        "len", "min", "max", "sum", "abs", "round", "sorted", "reversed", "zip", "enumerate", "isinstance",
        "any", "all", "map", "filter", "repr",
    ]
    static var names: Set<String> { types.union(functions) }

    /// Python builtins a config may not use, with why.
    static func refusal(_ name: String) -> String? {
        switch name {
        case "open", "input", "print", "breakpoint", "help", "exit", "quit":
            return "'\(name)' is not allowed in config files (a config cannot read, write or interact)"
        case "__import__", "eval", "exec", "compile", "globals", "locals", "vars", "getattr", "setattr", "delattr",
             "hasattr", "type", "object", "super", "id", "dir", "callable", "issubclass", "classmethod", "staticmethod",
             "property", "memoryview", "__build_class__", "__builtins__", "iter", "next", "aiter", "anext":
            return "'\(name)' is not allowed in config files (a config cannot import, run code or inspect objects)"
        case "bytes", "bytearray", "frozenset", "format", "divmod", "pow", "chr", "ord", "hex", "oct", "bin", "slice",
             "complex", "ascii", "hash":
            return "'\(name)' is not one of the config language's builtins (" + names.sorted().joined(separator: ", ") + ")"
        default:
            return nil
        }
    }

    /// Calls builtin `name`. `apply` calls a function argument (for `key=`, `map`, `filter`).
    static func call(_ name: String, _ args: [PyObject], _ kwargs: [(String, PyObject)],
                     apply: (PyObject, [PyObject]) throws -> PyObject) throws -> PyObject {
        var a = Arguments(function: name, args: args, kwargs: kwargs)
        switch name {
        case "len":
            let x = try a.only()
            switch x {
            case .value(.string(let s)): return int(s.unicodeScalars.count)
            case .value(.list(let i)), .value(.tuple(let i)), .set(let i): return int(i.count)
            case .value(.dict(let d)): return int(d.count)
            case .range:
                guard let n = PySemantics.rangeCount(x) else { throw Failure("range too large for len() (more than 2**63 - 1 elements)") }
                return int(n)
            case .iterator(let items, let kind) where kind.hasPrefix("dict_"): return int(items.count)
            default: throw Failure("object of type '\(x.typeName)' has no len()")
            }
        case "min", "max":
            let key = a.keyword("key"), fallback = a.keyword("default")
            try a.noOtherKeywords()
            var items: [ConfigValue]
            if a.args.count == 1 {
                items = try PySemantics.elements(a.args[0])
            } else {
                guard !a.args.isEmpty else { throw Failure("\(name) expected at least 1 argument, got 0") }
                guard fallback == nil else { throw Failure("Cannot specify a default for \(name)() with multiple positional arguments") }
                items = try a.args.map(value)
            }
            guard var best = items.first else {
                if let fallback { return fallback }
                throw Failure("\(name)() arg is an empty sequence")
            }
            var bestKey = try keyOf(best, key, apply)
            for item in items.dropFirst() {
                let k = try keyOf(item, key, apply)
                let better = name == "min" ? try PySemantics.less(k, bestKey) : try PySemantics.less(bestKey, k)
                if better { best = item; bestKey = k }
            }
            return .value(best)
        case "sum":
            let start = a.args.count > 1 ? a.args[1] : (a.keyword("start") ?? .value(.int(0)))
            try a.noOtherKeywords()
            guard a.args.count == 1 || a.args.count == 2 else { throw Failure("sum() takes 1 or 2 positional arguments") }
            var total = try value(start)
            if case .string = total { throw Failure("sum() can't sum strings [use ''.join(seq) instead]") }
            if let first = total.elements {  // each + copies the sum so far: quadratic, bounded first
                var length = first.count, work = 0
                for item in try PySemantics.elements(a.args[0]) {
                    length += item.elements?.count ?? 0
                    work += length
                    if work > PyLimits.maxSteps { throw Failure("sum() of these sequences copies more than \(PyLimits.maxSteps) elements; use a comprehension") }
                }
            }
            for item in try PySemantics.elements(a.args[0]) { total = try PyArithmetic.binary(.plus, total, item) }
            return .value(total)
        case "abs":
            let x = try value(a.only())
            switch PyArithmetic.number(x) {
            case .int(let i)?:
                guard i != Int.min else { throw Failure("integer overflow in abs") }
                return int(abs(i))
            case .double(let d)?: return .value(.double(d.magnitude))
            case nil: throw Failure("bad operand type for abs(): '\(x.typeName)'")
            }
        case "round": return try round(&a)
        case "int":
            try a.noKeywords()
            guard a.args.count <= 2 else { throw Failure("int() takes at most 2 arguments (\(a.args.count) given)") }
            guard let x = try a.args.first.map(value) else { return int(0) }
            if a.args.count == 2 {
                guard case .string(let s) = x, case .value(.int(let base)) = a.args[1] else {
                    throw Failure("int() can't convert non-string with explicit base")
                }
                guard let i = parseInt(s, base: base) else {
                    throw Failure("invalid literal for int() with base \(base): \(PythonRepr.string(s))")
                }
                return int(i)
            }
            switch x {
            case .int, .bool: return .value(PyArithmetic.value(PyArithmetic.number(x)!))
            case .double(let d):
                guard d.isFinite else { throw Failure("cannot convert float \(PythonNumbers.repr(d)) to integer") }
                guard d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else {
                    throw Failure("int(\(PythonNumbers.repr(d))) does not fit in 64 bits")
                }
                return int(Int(d))
            case .string(let s):
                guard let i = PythonNumbers.parseInt(s) else { throw Failure("invalid literal for int() with base 10: \(PythonRepr.string(s))") }
                return int(i)
            default: throw Failure("int() argument must be a string or a real number, not '\(x.typeName)'")
            }
        case "float":
            try a.noKeywords()
            guard a.args.count <= 1 else { throw Failure("float expected at most 1 argument, got \(a.args.count)") }
            guard let x = try a.args.first.map(value) else { return .value(.double(0)) }
            if case .string(let s) = x {
                guard let d = PythonNumbers.parseFloat(s) else { throw Failure("could not convert string to float: \(PythonRepr.string(s))") }
                return .value(.double(d))
            }
            guard let n = PyArithmetic.number(x) else { throw Failure("float() argument must be a string or a real number, not '\(x.typeName)'") }
            switch n {
            case .int(let i): return .value(.double(Double(i)))
            case .double(let d): return .value(.double(d))
            }
        case "str":
            try a.noKeywords()
            guard a.args.count <= 1 else { throw Failure("str() takes one argument here") }
            return .value(.string(a.args.first.map(PySemantics.str) ?? ""))
        case "repr":
            return .value(.string(PySemantics.repr(try a.only())))
        case "bool":
            try a.noKeywords()
            return .value(.bool(a.args.first.map(PySemantics.truth) ?? false))
        case "list", "tuple":
            try a.noKeywords()
            guard a.args.count <= 1 else { throw Failure("\(name) expected at most 1 argument, got \(a.args.count)") }
            let items = try a.args.first.map(PySemantics.elements) ?? []
            return .value(name == "list" ? .list(items) : .tuple(items))
        case "set":
            try a.noKeywords()
            guard a.args.count <= 1 else { throw Failure("set expected at most 1 argument, got \(a.args.count)") }
            return .set(try unique(a.args.first.map(PySemantics.elements) ?? []))
        case "dict": return try dict(a)
        case "range": return try range(a)
        case "sorted":
            let key = a.keyword("key"), reverse = a.keyword("reverse").map(PySemantics.truth) ?? false
            try a.noOtherKeywords()
            let items = try PySemantics.elements(try a.only())
            let keys = try items.map { try keyOf($0, key, apply) }
            var failure: Failure?
            let order = Array(items.indices).sorted { i, j in  // a stable sort: equal keys keep their order
                do {
                    if try (reverse ? PySemantics.less(keys[j], keys[i]) : PySemantics.less(keys[i], keys[j])) { return true }
                    if try (reverse ? PySemantics.less(keys[i], keys[j]) : PySemantics.less(keys[j], keys[i])) { return false }
                    return i < j
                } catch { failure = (error as? Failure) ?? Failure("\(error)"); return i < j }
            }
            if let failure { throw failure }
            return .value(.list(order.map { items[$0] }))
        case "reversed":
            let x = try a.only()
            switch x {
            case .value(.list), .value(.tuple), .value(.string), .range, .value(.dict):
                return .iterator(try PySemantics.elements(x).reversed(), kind: "reversed")
            default: throw Failure("'\(x.typeName)' object is not reversible")
            }
        case "zip":
            let strict = a.keyword("strict").map(PySemantics.truth) ?? false
            try a.noOtherKeywords()
            let columns = try a.args.map(PySemantics.elements)
            let n = columns.map(\.count).min() ?? 0
            // Python stops where the shortest ends: an argument ending before the first is
            // "shorter"; when the first ends there, the first that goes on is "longer".
            let shorter = columns.first.map { $0.count > n } ?? false
            if strict, let k = columns.firstIndex(where: { shorter ? $0.count == n : $0.count > n }) {
                throw Failure("ValueError: zip() argument \(k + 1) is \(shorter ? "shorter" : "longer") "
                              + "than argument\(k == 1 ? " 1" : "s 1-\(k)")")
            }
            return .iterator((0..<n).map { i in .tuple(columns.map { $0[i] }) }, kind: "zip")
        case "enumerate":
            let startArg = a.args.count > 1 ? a.args[1] : a.keyword("start")
            try a.noOtherKeywords()
            guard a.args.count == 1 || a.args.count == 2 else { throw Failure("enumerate() takes 1 or 2 arguments") }
            var start = 0
            if let s = startArg {
                guard case .value(.int(let i)) = s else { throw Failure("enumerate() start must be an int") }
                start = i
            }
            let items = try PySemantics.elements(a.args[0])
            guard items.isEmpty || !start.addingReportingOverflow(items.count - 1).overflow else {
                throw Failure("enumerate() start too large (ints are 64-bit here)")
            }
            return .iterator(items.enumerated().map { .tuple([.int(start + $0.offset), $0.element]) }, kind: "enumerate")
        case "isinstance":
            try a.noKeywords()
            guard a.args.count == 2 else { throw Failure("isinstance expected 2 arguments, got \(a.args.count)") }
            var classes = [a.args[1]]
            if case .objects(let items, _) = a.args[1] { classes = items }
            if case .value(.tuple(let items)) = a.args[1], items.isEmpty { classes = [] }
            return .value(.bool(try classes.contains { try isInstance(a.args[0], $0) }))
        case "any", "all":
            let items = try PySemantics.elements(try a.only())
            let truths = items.map { PySemantics.truth(.value($0)) }
            return .value(.bool(name == "any" ? truths.contains(true) : truths.allSatisfy { $0 }))
        case "map":
            try a.noKeywords()
            guard a.args.count >= 2 else { throw Failure("map() must have at least two arguments") }
            let columns = try a.args.dropFirst().map(PySemantics.elements)
            let n = columns.map(\.count).min() ?? 0
            return .iterator(try (0..<n).map { i in try value(apply(a.args[0], columns.map { .value($0[i]) })) }, kind: "map")
        case "filter":
            try a.noKeywords()
            guard a.args.count == 2 else { throw Failure("filter expected 2 arguments, got \(a.args.count)") }
            let items = try PySemantics.elements(a.args[1])
            let test = a.args[0]
            let kept = try items.filter { item in
                if case .value(.none) = test { return PySemantics.truth(.value(item)) }
                return PySemantics.truth(try apply(test, [.value(item)]))
            }
            return .iterator(kept, kind: "filter")
        default:
            throw Failure("'\(name)' is not a builtin of the config language")
        }
    }

    /// `isinstance(x, t)` for one type `t` (bool is an int, as in Python).
    static func isInstance(_ x: PyObject, _ t: PyObject) throws(Failure) -> Bool {
        guard case .builtin(let type) = t, types.contains(type) else {
            throw Failure("isinstance() arg 2 must be a type or a tuple of types")
        }
        switch (x, type) {
        case (.value(.bool), "int"), (.value(.bool), "bool"): return true
        case (.set, "set"), (.range, "range"): return true
        case (.value(let v), _): return v.typeName == type
        default: return false
        }
    }

    static func int(_ i: Int) -> PyObject { .value(.int(i)) }

    private static func keyOf(_ item: ConfigValue, _ key: PyObject?, _ apply: (PyObject, [PyObject]) throws -> PyObject) throws -> ConfigValue {
        guard let key, !(key.configValue?.isNone ?? false) else { return item }
        return try value(apply(key, [.value(item)]))
    }

    private static func dict(_ a: Arguments) throws -> PyObject {
        guard a.args.count <= 1 else { throw Failure("dict expected at most 1 argument, got \(a.args.count)") }
        var out = ConfigDict()
        if let source = a.args.first {
            switch source {
            case .value(.dict(let d)): out = d
            default:
                for (n, item) in try PySemantics.elements(source).enumerated() {
                    guard let pair = try? PySemantics.elements(.value(item)), pair.count == 2, item.dictValue == nil else {
                        let length = (try? PySemantics.elements(.value(item)).count) ?? 1
                        throw Failure("dictionary update sequence element #\(n) has length \(length); 2 is required")
                    }
                    guard case .string(let key) = pair[0] else {
                        throw Failure("dict keys must be strings in a config, got \(pair[0].typeName) \(pair[0].brief)")
                    }
                    out[key] = pair[1]
                }
            }
        }
        for (key, v) in a.kwargs { out[key] = try value(v) }
        return .value(.dict(out))
    }

    private static func range(_ a: Arguments) throws(Failure) -> PyObject {
        try a.noKeywords()
        var bounds: [Int] = []
        for arg in a.args {
            guard case .value(let v) = arg, let n = PyArithmetic.number(v), case .int(let i) = n, !(v.doubleValue != nil && v.intValue == nil && !(v.boolValue != nil)) else {
                throw Failure("'\(arg.typeName)' object cannot be interpreted as an integer")
            }
            bounds.append(i)
        }
        switch bounds.count {
        case 1: return .range(start: 0, stop: bounds[0], step: 1)
        case 2: return .range(start: bounds[0], stop: bounds[1], step: 1)
        case 3:
            guard bounds[2] != 0 else { throw Failure("range() arg 3 must not be zero") }
            return .range(start: bounds[0], stop: bounds[1], step: bounds[2])
        default: throw Failure("range expected 1 to 3 arguments, got \(bounds.count)")
        }
    }
}

/// A call's arguments, read by a builtin.
struct Arguments {
    let function: String
    let args: [PyObject]
    var kwargs: [(String, PyObject)]

    mutating func keyword(_ name: String) -> PyObject? {
        guard let i = kwargs.firstIndex(where: { $0.0 == name }) else { return nil }
        return kwargs.remove(at: i).1
    }

    func noOtherKeywords() throws(ArithmeticError) {
        if let first = kwargs.first { throw ArithmeticError("\(function)() got an unexpected keyword argument '\(first.0)'") }
    }

    func noKeywords() throws(ArithmeticError) {
        if !kwargs.isEmpty { throw ArithmeticError("\(function)() takes no keyword arguments") }
    }

    func only() throws(ArithmeticError) -> PyObject {
        try noKeywords()
        guard args.count == 1 else { throw ArithmeticError("\(function)() takes exactly one argument (\(args.count) given)") }
        return args[0]
    }
}
