/// A value while a config file runs: a config value, or one of the Python objects that exist
/// only during evaluation (sets, ranges, iterators, functions, modules, bound methods). Only
/// config values can end up in the merged config; names bound to modules and functions are
/// dropped, as mmengine drops them.
enum PyObject {
    case value(ConfigValue)
    /// Elements in insertion order, without duplicates (Python's order for ints and strings
    /// differs; configs sort a set before they use its order).
    case set([ConfigValue])
    case range(start: Int, stop: Int, step: Int)
    /// The result of zip, enumerate, reversed, map, filter, a generator expression or a dict
    /// view, already computed; `kind` is its Python type name.
    case iterator([ConfigValue], kind: String)
    /// A builtin function or type, by name.
    case builtin(String)
    /// `os` or `os.path`.
    case module(String)
    /// A function of `os.path` ("os.path.join").
    case function(String)
    /// A method bound to its receiver (`'_'.join`, `d.get`).
    case method(ConfigValue, String)
    /// A tuple or list holding objects that are not config values (`(int, float)`).
    case objects([PyObject], isTuple: Bool)

    var typeName: String {
        switch self {
        case .value(let v): return v.typeName
        case .set: return "set"
        case .range: return "range"
        case .iterator(_, let kind): return kind
        case .builtin(let name): return PyBuiltins.types.contains(name) ? "type" : "builtin_function_or_method"
        case .module: return "module"
        case .function: return "function"
        case .method: return "method"
        case .objects(_, let isTuple): return isTuple ? "tuple" : "list"
        }
    }

    var configValue: ConfigValue? { if case .value(let v) = self { return v } else { return nil } }
}

/// The steps and files one config load has used (all its files together).
final class PyBudget: @unchecked Sendable {
    var steps = 0
    var files = 0

    /// Pays `n` steps (for work done outside the evaluator: callbacks of `sorted`, `map`, ...).
    func pay(_ n: Int) throws(ArithmeticError) {
        steps += n
        if steps > PyLimits.maxSteps {
            throw ArithmeticError("the config takes more than \(PyLimits.maxSteps) evaluation steps (a huge range, comprehension or repetition?)")
        }
    }
}

/// Limits that keep a config's evaluation finite and small, whatever it asks for.
enum PyLimits {
    /// Most files (the config and its bases, counted each time they are named) one load reads.
    static let maxFiles = 10_000
    /// Most elements (or characters) any one list, string, range walk or set may have.
    static let maxElements = 1_000_000
    /// Most parts of any one value, walked: elements, containers and every shared reference to
    /// them (a string weighs 1 + its bytes / 16).
    static let maxValueSize = 2 * maxElements
    /// Most UTF-8 bytes of any one string.
    static let maxTextBytes = 4 * maxElements
    /// Most evaluation steps one file may take: expression nodes, loop iterations, and the
    /// elements every operation builds or walks.
    static let maxSteps = 10_000_000
}

/// Python's semantics of values: truth, equality, ordering, membership, iteration, `str`.
enum PySemantics {
    typealias Failure = ArithmeticError

    static func truth(_ o: PyObject) -> Bool {
        switch o {
        case .value(let v): return ConfigMerge.isTrue(v)
        case .set(let items): return !items.isEmpty
        case .range: return (rangeCount(o) ?? 1) > 0
        case .iterator(let items, let kind): return kind.hasPrefix("dict_") ? !items.isEmpty : true
        default: return true
        }
    }

    /// `a == b`: numbers by value (1 == 1.0 == True), sequences of one kind element-wise,
    /// dicts by content regardless of order.
    static func equal(_ a: ConfigValue, _ b: ConfigValue) -> Bool {
        if let x = PyArithmetic.number(a), let y = PyArithmetic.number(b) { return order(x, y) == 0 }
        switch (a, b) {
        case (.none, .none): return true
        case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.dict(let x), .dict(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], equal(value, other) else { return false }
            }
            return true
        default: return false
        }
    }

    static func equal(_ a: PyObject, _ b: PyObject) -> Bool {
        switch (a, b) {
        case (.value(let x), .value(let y)): return equal(x, y)
        case (.set(let x), .set(let y)):
            guard x.count == y.count, let keys = try? Set(y.map(PyBuiltins.hashKey)) else { return false }
            return x.allSatisfy { (try? keys.contains(PyBuiltins.hashKey($0))) ?? false }
        case (.range, .range): return (try? elements(a)).map { xs in (try? elements(b)).map { xs.count == $0.count && zip(xs, $0).allSatisfy(equal) } ?? false } ?? false
        case (.builtin(let x), .builtin(let y)), (.module(let x), .module(let y)), (.function(let x), .function(let y)): return x == y
        default: return false
        }
    }

    /// `a < b`: numbers, strings (by code point), and lists or tuples lexicographically.
    static func less(_ a: ConfigValue, _ b: ConfigValue, _ op: String = "<") throws(Failure) -> Bool {
        if let x = PyArithmetic.number(a), let y = PyArithmetic.number(b) { return order(x, y) == -1 }
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            for (p, q) in zip(x, y) where !equal(p, q) { return try less(p, q, op) }
            return x.count < y.count
        default:
            throw Failure("'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    /// What reading `o` costs: its parts (shared ones each time), a string by its bytes, a
    /// range by its length (at most `maxElements`).
    static func weight(_ o: PyObject) -> Int {
        switch o {
        case .value(.string(let s)): return 1 + s.utf8.count
        case .value(let v): return ValueShape.measure(v, limit: PyLimits.maxValueSize, maxDepth: 400).size
        case .set(let items), .iterator(let items, _): return ValueShape.measure(.list(items), limit: PyLimits.maxValueSize, maxDepth: 400).size
        case .range: return 1 + min(rangeCount(o) ?? Int.max, PyLimits.maxElements)
        case .objects(let items, _): return items.count
        case .method(let receiver, _): return weight(.value(receiver))
        default: return 1
        }
    }

    /// `x in container`.
    static func contains(_ container: PyObject, _ x: ConfigValue) throws(Failure) -> Bool {
        switch container {
        case .value(.string(let s)):
            guard case .string(let sub) = x else {
                throw Failure("'in <string>' requires string as left operand, not \(x.typeName)")
            }
            return !ScalarSearch.matches(Array(sub.unicodeScalars), in: Array(s.unicodeScalars)).isEmpty
        case .value(.dict(let d)):
            if case .string(let key) = x { return d.contains(key) }
            return false
        case .set(let items):
            guard let key = try? PyBuiltins.hashKey(x) else { throw Failure("unhashable type: '\(x.typeName)'") }
            return items.contains { (try? PyBuiltins.hashKey($0)) == key }
        case .value(.list(let items)), .value(.tuple(let items)), .iterator(let items, _):
            return items.contains { equal($0, x) }
        case .range(let start, let stop, let step):
            guard let n = PyArithmetic.number(x), case .int(let i) = n else {
                return (try? elements(container))?.contains { equal($0, x) } ?? false
            }
            if step > 0 ? (i < start || i >= stop) : (i > start || i <= stop) { return false }
            let offset = step > 0 ? UInt(bitPattern: i &- start) : UInt(bitPattern: start &- i)  // exact: below 2**64
            return offset % step.magnitude == 0
        default:
            throw Failure("argument of type '\(container.typeName)' is not iterable")
        }
    }

    /// How many ints a range holds (nil: more than an Int counts, as `range(-2**63, 2**63-1)`).
    static func rangeCount(_ o: PyObject) -> Int? {
        guard case .range(let start, let stop, let step) = o else { return 0 }
        guard step > 0 ? stop > start : start > stop else { return 0 }
        let span = step > 0 ? UInt(bitPattern: stop &- start) : UInt(bitPattern: start &- stop)  // exact: below 2**64
        let count = (span - 1) / step.magnitude + 1
        return count > UInt(Int.max) ? nil : Int(count)
    }

    /// The elements an iteration over `o` visits (dict keys for a dict, characters for a str).
    static func elements(_ o: PyObject) throws(Failure) -> [ConfigValue] {
        switch o {
        case .value(.list(let items)), .value(.tuple(let items)), .set(let items), .iterator(let items, _):
            return items
        case .value(.string(let s)):
            try checkSize(s.unicodeScalars.count)
            return s.unicodeScalars.map { .string(String($0)) }
        case .value(.dict(let d)):
            return d.keys.map { .string($0) }
        case .range(let start, _, let step):
            let n = rangeCount(o) ?? Int.max
            try checkSize(n)
            var values: [ConfigValue] = []
            values.reserveCapacity(n)
            var v = start
            for _ in 0..<n {
                values.append(.int(v))
                v = v &+ step  // wraps only after the last element
            }
            return values
        default:
            throw Failure("'\(o.typeName)' object is not iterable")
        }
    }

    /// The joined length of `parts` stays within `PyLimits.maxTextBytes`.
    static func checkText(_ parts: String...) throws(Failure) {
        var bytes = 0
        for part in parts { bytes += part.utf8.count }
        guard bytes <= PyLimits.maxTextBytes else {
            throw Failure("a string of more than \(PyLimits.maxTextBytes) bytes: configs do not build text this large")
        }
    }

    static func checkSize(_ n: Int) throws(Failure) {
        guard n <= PyLimits.maxElements else {
            throw Failure("more than \(PyLimits.maxElements) elements: configs do not build values this large")
        }
    }

    /// `str(x)`.
    static func str(_ o: PyObject) -> String {
        if case .value(.string(let s)) = o { return s }
        return repr(o)
    }

    /// `repr(x)`.
    static func repr(_ o: PyObject) -> String {
        switch o {
        case .value(let v): return PythonRepr.python(v)
        case .set(let items): return items.isEmpty ? "set()" : "{" + items.map(PythonRepr.python).joined(separator: ", ") + "}"
        case .range(let start, let stop, let step): return "range(\(start), \(stop)\(step == 1 ? "" : ", \(step)"))"
        case .iterator(_, let kind): return "<\(kind) object>"
        case .builtin(let name): return PyBuiltins.types.contains(name) ? "<class '\(name)'>" : "<built-in function \(name)>"
        case .module(let name): return "<module '\(name == "os.path" ? "posixpath" : name)'>"
        case .function(let name): return "<function \(name.split(separator: ".").last ?? "")>"
        case .method(let receiver, let name): return "<built-in method \(name) of \(receiver.typeName) object>"
        case .objects(let items, let isTuple):
            let inner = items.map(repr).joined(separator: ", ")
            return isTuple ? "(" + inner + (items.count == 1 ? ",)" : ")") : "[" + inner + "]"
        }
    }

    /// -1, 0 or 1 as Python orders two numbers: exactly, also an int against a float (a NaN is
    /// unordered: 2, so that every comparison with it is false).
    static func order(_ x: PyArithmetic.Number, _ y: PyArithmetic.Number) -> Int {
        switch (x, y) {
        case (.int(let i), .int(let j)): return i < j ? -1 : i == j ? 0 : 1
        case (.double(let p), .double(let q)): return p.isNaN || q.isNaN ? 2 : p < q ? -1 : p == q ? 0 : 1
        case (.int(let i), .double(let d)): return intVersusDouble(i, d)
        case (.double(let d), .int(let i)):
            let o = intVersusDouble(i, d)
            return o == 2 ? 2 : -o
        }
    }

    private static func intVersusDouble(_ i: Int, _ d: Double) -> Int {
        if d.isNaN { return 2 }
        if d >= 9.223372036854775808e18 { return -1 }
        if d < -9.223372036854775808e18 { return 1 }
        let whole = d.rounded(.down)  // in Int's range now, so exact
        let w = Int(whole)
        if i != w { return i < w ? -1 : 1 }
        return whole == d ? 0 : -1  // i == floor(d) < d
    }
}
