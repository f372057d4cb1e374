/// Methods configs call on values: `str` (join, split, rsplit, replace, upper, lower, strip,
/// lstrip, rstrip, startswith, endswith, format, title, capitalize, count, find, rfind, zfill,
/// isdigit), `dict` (get, keys, values, items, copy) and `list`/`tuple` (index, count, copy).
/// Methods that change a value in place (append, update, pop, ...) are refused: configs
/// rebuild values instead.
enum PyMethods {
    typealias Failure = ArithmeticError

    static let stringMethods: Set<String> = [
        "join", "split", "rsplit", "replace", "upper", "lower", "strip", "lstrip", "rstrip", "startswith",
        "endswith", "format", "title", "capitalize", "count", "find", "rfind", "zfill", "isdigit",
    ]
    static let dictMethods: Set<String> = ["get", "keys", "values", "items", "copy"]
    static let sequenceMethods: Set<String> = ["index", "count", "copy"]
    static let mutating: Set<String> = [
        "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update", "setdefault", "popitem",
    ]

    /// The method `name` of `v`, or nil when `v` has none of that name.
    static func has(_ v: ConfigValue, _ name: String) -> Bool {
        switch v {
        case .string: return stringMethods.contains(name)
        case .dict: return dictMethods.contains(name)
        case .list: return sequenceMethods.contains(name)
        case .tuple: return sequenceMethods.contains(name) && name != "copy"
        default: return false
        }
    }

    static func call(_ receiver: ConfigValue, _ name: String, _ args: [PyObject], _ kwargs: [(String, PyObject)]) throws(Failure) -> PyObject {
        var a = Arguments(function: name, args: args, kwargs: kwargs)
        switch receiver {
        case .string(let s): return try string(s, name, &a)
        case .dict(let d):
            try a.noKeywords()
            switch name {
            case "get":
                guard a.args.count == 1 || a.args.count == 2 else { throw Failure("get expected 1 or 2 arguments, got \(a.args.count)") }
                let key = try PyBuiltins.value(a.args[0])
                let fallback = a.args.count == 2 ? a.args[1] : .value(.none)
                guard case .string(let k) = key, let v = d[k] else { return fallback }
                return .value(v)
            case "keys": try none(a); return .iterator(d.keys.map { .string($0) }, kind: "dict_keys")
            case "values": try none(a); return .iterator(d.values, kind: "dict_values")
            case "items": try none(a); return .iterator(d.map { .tuple([.string($0.key), $0.value]) }, kind: "dict_items")
            default: try none(a); return .value(receiver)
            }
        case .list(let items), .tuple(let items):
            try a.noKeywords()
            switch name {
            case "copy": try none(a); return .value(receiver)
            case "count":
                let x = try PyBuiltins.value(a.only())
                return .value(.int(items.filter { PySemantics.equal($0, x) }.count))
            default:
                guard (1...3).contains(a.args.count) else { throw Failure("index expected 1 to 3 arguments, got \(a.args.count)") }
                let x = try PyBuiltins.value(a.args[0])
                func bound(_ k: Int, _ fallback: Int) throws(Failure) -> Int {
                    guard k < a.args.count else { return fallback }
                    var i = try intArg(a.args[k], fallback, "index bound")
                    if i < 0 { i += items.count }
                    return min(max(i, 0), items.count)
                }
                let lo = try bound(1, 0), hi = try bound(2, items.count)
                guard lo < hi, let i = items[lo..<hi].firstIndex(where: { PySemantics.equal($0, x) }) else {
                    throw Failure("\(x.brief) is not in \(receiver.typeName)")
                }
                return .value(.int(i))
            }
        default:
            throw Failure("'\(receiver.typeName)' object has no attribute '\(name)'")
        }
    }

    private static func none(_ a: Arguments) throws(Failure) {
        guard a.args.isEmpty else { throw Failure("\(a.function)() takes no arguments (\(a.args.count) given)") }
    }

    private static func str(_ o: PyObject?, _ what: String) throws(Failure) -> String? {
        guard let o, !(o.configValue?.isNone ?? false) else { return nil }
        guard case .value(.string(let s)) = o else { throw Failure("\(what) must be str or None, not \(o.typeName)") }
        return s
    }

    private static func intArg(_ o: PyObject?, _ fallback: Int, _ what: String) throws(Failure) -> Int {
        guard let o else { return fallback }
        guard case .value(let v) = o, let n = PyArithmetic.number(v), case .int(let i) = n else {
            throw Failure("\(what) must be an integer, not \(o.typeName)")
        }
        return i
    }

    private static func string(_ s: String, _ name: String, _ a: inout Arguments) throws(Failure) -> PyObject {
        func text(_ x: String) -> PyObject { .value(.string(x)) }
        switch name {
        case "format":
            return text(try PyStrFormat.format(s, a.args, a.kwargs))
        case "join":
            let items = try PySemantics.elements(a.only())
            var parts: [String] = []
            var total = 0
            for (n, item) in items.enumerated() {
                guard case .string(let part) = item else {
                    throw Failure("sequence item \(n): expected str instance, \(item.typeName) found")
                }
                total += part.unicodeScalars.count + s.unicodeScalars.count
                try PySemantics.checkSize(total)
                parts.append(part)
            }
            return text(parts.joined(separator: s))
        case "split", "rsplit":
            let sepArg = a.args.count > 0 ? a.args[0] : a.keyword("sep")
            let maxArg = a.args.count > 1 ? a.args[1] : a.keyword("maxsplit")
            try a.noOtherKeywords()
            let sep = try str(sepArg, "sep")
            let max = try intArg(maxArg, -1, "maxsplit")
            if sep == "" { throw Failure("empty separator") }
            return .value(.list(split(s, sep, max, fromRight: name == "rsplit").map { .string($0) }))
        case "replace":
            try a.noKeywords()
            guard a.args.count == 2 || a.args.count == 3,
                  let old = try str(a.args[0], "replace() argument 1"), let new = try str(a.args[1], "replace() argument 2") else {
                throw Failure("replace() takes 2 or 3 string arguments")
            }
            let count = try intArg(a.args.count == 3 ? a.args[2] : nil, -1, "count")
            return text(replace(s, old, new, count))
        case "upper": try none(a); return text(s.uppercased())
        case "lower": try none(a); return text(s.lowercased())
        case "strip", "lstrip", "rstrip":
            try a.noKeywords()
            guard a.args.count <= 1 else { throw Failure("\(name) expected at most 1 argument") }
            let chars = try str(a.args.first, "\(name) arg")
            let drop: (Unicode.Scalar) -> Bool = { c in chars.map { $0.unicodeScalars.contains(c) } ?? c.properties.isWhitespace }
            var scalars = Array(s.unicodeScalars)[...]
            if name != "rstrip" { while let f = scalars.first, drop(f) { scalars = scalars.dropFirst() } }
            if name != "lstrip" { while let l = scalars.last, drop(l) { scalars = scalars.dropLast() } }
            var out = String.UnicodeScalarView()
            out.append(contentsOf: scalars)
            return text(String(out))
        case "startswith", "endswith":
            try a.noKeywords()
            guard a.args.count == 1 else { throw Failure("\(name)() takes one argument here") }
            var candidates: [String] = []
            switch a.args[0] {
            case .value(.string(let p)): candidates = [p]
            case .value(.tuple(let items)):
                for item in items {
                    guard case .string(let p) = item else { throw Failure("a tuple for \(name) must only contain str, not \(item.typeName)") }
                    candidates.append(p)
                }
            default: throw Failure("\(name) first arg must be str or a tuple of str, not \(a.args[0].typeName)")
            }
            let scalars = Array(s.unicodeScalars)
            return .value(.bool(candidates.contains { p in
                let ps = Array(p.unicodeScalars)
                return name == "startswith" ? scalars.starts(with: ps) : scalars.reversed().starts(with: ps.reversed())
            }))
        case "title", "capitalize":
            try none(a)
            var out = ""
            var previousCased = false
            for (n, ch) in s.enumerated() {
                let upper = name == "title" ? !previousCased : n == 0
                out += upper ? ch.uppercased() : ch.lowercased()
                previousCased = ch.isCased
            }
            return text(out)
        case "count", "find", "rfind":
            try a.noKeywords()
            guard a.args.count == 1, let sub = try str(a.args[0], "\(name) argument") else { throw Failure("\(name)() takes one string argument here") }
            let hay = Array(s.unicodeScalars), needle = Array(sub.unicodeScalars)
            var positions: [Int] = []
            var i = 0
            while i + needle.count <= hay.count {
                if hay[i..<(i + needle.count)].elementsEqual(needle) {
                    positions.append(i)
                    i += name == "count" ? max(needle.count, 1) : 1
                } else {
                    i += 1
                }
            }
            switch name {
            case "count": return .value(.int(positions.count))
            case "find": return .value(.int(positions.first ?? -1))
            default: return .value(.int(positions.last ?? -1))
            }
        case "zfill":
            let width = try intArg(try a.only(), 0, "zfill width")
            let n = s.unicodeScalars.count
            guard width > n else { return text(s) }
            try PySemantics.checkSize(width)
            let signed = s.hasPrefix("-") || s.hasPrefix("+")
            let head = signed ? String(s.prefix(1)) : ""
            return text(head + String(repeating: "0", count: width - n) + s.dropFirst(head.count))
        case "isdigit":
            try none(a)
            return .value(.bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit }))
        default:
            throw Failure("'str' object has no attribute '\(name)'")
        }
    }

    /// Python's `str.split` / `str.rsplit` (`sep` nil: runs of whitespace, ends dropped).
    static func split(_ s: String, _ sep: String?, _ maxSplit: Int, fromRight: Bool) -> [String] {
        let scalars = Array(s.unicodeScalars)
        func text(_ r: ArraySlice<Unicode.Scalar>) -> String {
            var v = String.UnicodeScalarView()
            v.append(contentsOf: r)
            return String(v)
        }
        var limit = maxSplit < 0 ? Int.max : maxSplit
        var parts: [String] = []
        if let sep {
            let needle = Array(sep.unicodeScalars)
            if !fromRight {
                var start = 0, i = 0
                while i + needle.count <= scalars.count, limit > 0 {
                    if scalars[i..<(i + needle.count)].elementsEqual(needle) {
                        parts.append(text(scalars[start..<i]))
                        i += needle.count
                        start = i
                        limit -= 1
                    } else {
                        i += 1
                    }
                }
                parts.append(text(scalars[start...]))
                return parts
            }
            var end = scalars.count, i = scalars.count - needle.count
            while i >= 0, limit > 0 {
                if scalars[i..<(i + needle.count)].elementsEqual(needle) {
                    parts.append(text(scalars[(i + needle.count)..<end]))
                    end = i
                    i -= needle.count
                    limit -= 1
                } else {
                    i -= 1
                }
            }
            parts.append(text(scalars[0..<end]))
            return parts.reversed()
        }
        let white: (Unicode.Scalar) -> Bool = { $0.properties.isWhitespace }
        if !fromRight {
            var i = 0
            while i < scalars.count {
                while i < scalars.count, white(scalars[i]) { i += 1 }
                guard i < scalars.count else { break }
                if limit == 0 {
                    var end = scalars.count
                    while end > i, white(scalars[end - 1]) { end -= 1 }
                    parts.append(text(scalars[i..<end]))
                    break
                }
                let start = i
                while i < scalars.count, !white(scalars[i]) { i += 1 }
                parts.append(text(scalars[start..<i]))
                limit -= 1
            }
            return parts
        }
        var i = scalars.count
        while i > 0 {
            while i > 0, white(scalars[i - 1]) { i -= 1 }
            guard i > 0 else { break }
            if limit == 0 {
                var start = 0
                while start < i, white(scalars[start]) { start += 1 }
                parts.append(text(scalars[start..<i]))
                break
            }
            let end = i
            while i > 0, !white(scalars[i - 1]) { i -= 1 }
            parts.append(text(scalars[i..<end]))
            limit -= 1
        }
        return parts.reversed()
    }

    private static func replace(_ s: String, _ old: String, _ new: String, _ count: Int) -> String {
        let hay = Array(s.unicodeScalars), needle = Array(old.unicodeScalars), with = Array(new.unicodeScalars)
        var out: [Unicode.Scalar] = []
        var left = count < 0 ? Int.max : count
        var i = 0
        if needle.isEmpty {
            for c in hay {
                if left > 0 { out += with; left -= 1 }
                out.append(c)
            }
            if left > 0 { out += with }
        } else {
            while i < hay.count {
                if left > 0, i + needle.count <= hay.count, hay[i..<(i + needle.count)].elementsEqual(needle) {
                    out += with
                    i += needle.count
                    left -= 1
                } else {
                    out.append(hay[i])
                    i += 1
                }
            }
        }
        var v = String.UnicodeScalarView()
        v.append(contentsOf: out)
        return String(v)
    }
}
