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
            return text(try replace(s, old, new, count))
        case "upper": try none(a); return text(s.uppercased())
        case "lower": try none(a); return text(s.lowercased())
        case "strip", "lstrip", "rstrip":
            try a.noKeywords()
            guard a.args.count <= 1 else { throw Failure("\(name) expected at most 1 argument") }
            let chars = try str(a.args.first, "\(name) arg")
            let set = chars.map { Set($0.unicodeScalars) }
            let drop: (Unicode.Scalar) -> Bool = { c in set.map { $0.contains(c) } ?? isWhitespace(c) }
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
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(s.utf8.count)
            var previousCased = false
            for (n, scalar) in s.unicodeScalars.enumerated() {
                let first = name == "title" ? !previousCased : n == 0
                let p = scalar.properties  // Python's "cased": upper, lower or title case
                if scalar.isASCII {
                    let v = scalar.value
                    let isUpper = v >= 0x41 && v <= 0x5A, isLower = v >= 0x61 && v <= 0x7A
                    out.append(first && isLower ? Unicode.Scalar(v - 32)! : !first && isUpper ? Unicode.Scalar(v + 32)! : scalar)
                    if name == "title" { previousCased = isUpper || isLower }
                    continue
                }
                out += (first ? p.titlecaseMapping : p.lowercaseMapping).unicodeScalars
                previousCased = p.isUppercase || p.isLowercase || p.generalCategory == .titlecaseLetter
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: out)
            return text(String(view))
        case "count", "find", "rfind":
            try a.noKeywords()
            guard a.args.count == 1, let sub = try str(a.args[0], "\(name) argument") else { throw Failure("\(name)() takes one string argument here") }
            let hay = Array(s.unicodeScalars), needle = Array(sub.unicodeScalars)
            switch name {
            case "count": return .value(.int(ScalarSearch.nonOverlapping(needle, in: hay).count))
            case "find": return .value(.int(ScalarSearch.matches(needle, in: hay).first ?? -1))
            default: return .value(.int(ScalarSearch.matches(needle, in: hay).last ?? -1))
            }
        case "zfill":
            let width = try intArg(try a.only(), 0, "zfill width")
            let scalars = Array(s.unicodeScalars)
            guard width > scalars.count else { return text(s) }
            try PySemantics.checkSize(width)
            let signed = scalars.first == "-" || scalars.first == "+"
            var out = String.UnicodeScalarView()
            if signed { out.append(scalars[0]) }
            out.append(contentsOf: Array(repeating: "0", count: width - scalars.count))
            out.append(contentsOf: scalars[(signed ? 1 : 0)...])
            return text(String(out))
        case "isdigit":
            try none(a)
            return .value(.bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit }))
        default:
            throw Failure("'str' object has no attribute '\(name)'")
        }
    }

    /// Python's whitespace for `split()` and `strip()`: Unicode white space and the
    /// separators U+001C..U+001F.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || (0x1C...0x1F).contains(c.value)
    }

    /// Python's `str.split` / `str.rsplit` (`sep` nil: runs of whitespace, ends dropped; after
    /// `maxSplit` splits the rest is kept as it is).
    static func split(_ s: String, _ sep: String?, _ maxSplit: Int, fromRight: Bool) -> [String] {
        let scalars = Array(s.unicodeScalars)
        func text(_ r: ArraySlice<Unicode.Scalar>) -> String {
            var v = String.UnicodeScalarView()
            v.append(contentsOf: r)
            return String(v)
        }
        let limit = maxSplit < 0 ? Int.max : maxSplit
        var parts: [String] = []
        if let sep {
            let needle = Array(sep.unicodeScalars)
            var cuts = fromRight ? ScalarSearch.nonOverlappingFromRight(needle, in: scalars) : ScalarSearch.nonOverlapping(needle, in: scalars)
            if cuts.count > limit { cuts = fromRight ? Array(cuts.suffix(limit)) : Array(cuts.prefix(limit)) }
            var start = 0
            for cut in cuts {
                parts.append(text(scalars[start..<cut]))
                start = cut + needle.count
            }
            parts.append(text(scalars[start...]))
            return parts
        }
        var left = limit
        if !fromRight {
            var i = 0
            while i < scalars.count {
                while i < scalars.count, isWhitespace(scalars[i]) { i += 1 }
                guard i < scalars.count else { break }
                if left == 0 {
                    parts.append(text(scalars[i...]))
                    break
                }
                let start = i
                while i < scalars.count, !isWhitespace(scalars[i]) { i += 1 }
                parts.append(text(scalars[start..<i]))
                left -= 1
            }
            return parts
        }
        var i = scalars.count
        while i > 0 {
            while i > 0, isWhitespace(scalars[i - 1]) { i -= 1 }
            guard i > 0 else { break }
            if left == 0 {
                parts.append(text(scalars[..<i]))
                break
            }
            let end = i
            while i > 0, !isWhitespace(scalars[i - 1]) { i -= 1 }
            parts.append(text(scalars[i..<end]))
            left -= 1
        }
        return parts.reversed()
    }

    private static func replace(_ s: String, _ old: String, _ new: String, _ count: Int) throws(Failure) -> String {
        let hay = Array(s.unicodeScalars), needle = Array(old.unicodeScalars), with = Array(new.unicodeScalars)
        var cuts = needle.isEmpty ? Array(0...hay.count) : ScalarSearch.nonOverlapping(needle, in: hay)
        if count >= 0, cuts.count > count { cuts = Array(cuts.prefix(count)) }
        try PySemantics.checkSize(hay.count + cuts.count * (with.count - needle.count))
        var out = String.UnicodeScalarView()
        var start = 0
        for cut in cuts {
            out.append(contentsOf: hay[start..<cut])
            out.append(contentsOf: with)
            start = cut + needle.count
        }
        out.append(contentsOf: hay[start...])
        return String(out)
    }
}

/// Substring search on code points in linear time (Knuth-Morris-Pratt), for find, count,
/// split, replace and `in`.
enum ScalarSearch {
    /// Every start of `needle` in `hay`, overlapping ones included (an empty needle matches at
    /// every position, the end included).
    static func matches(_ needle: [Unicode.Scalar], in hay: [Unicode.Scalar]) -> [Int] {
        guard !needle.isEmpty else { return Array(0...hay.count) }
        guard needle.count <= hay.count else { return [] }
        var fail = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in 1..<needle.count {
            while k > 0 && needle[i] != needle[k] { k = fail[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            fail[i] = k
        }
        var out: [Int] = []
        k = 0
        for (i, c) in hay.enumerated() {
            while k > 0 && c != needle[k] { k = fail[k - 1] }
            if c == needle[k] { k += 1 }
            if k == needle.count {
                out.append(i - needle.count + 1)
                k = fail[k - 1]
            }
        }
        return out
    }

    /// Starts of non-overlapping matches taken from the left (`count`, `split`, `replace`).
    static func nonOverlapping(_ needle: [Unicode.Scalar], in hay: [Unicode.Scalar]) -> [Int] {
        var out: [Int] = []
        for m in matches(needle, in: hay) where out.last.map({ m >= $0 + needle.count }) ?? true { out.append(m) }
        if needle.isEmpty { return Array(0...hay.count) }
        return out
    }

    /// Starts of non-overlapping matches taken from the right (`rsplit`), in text order.
    static func nonOverlappingFromRight(_ needle: [Unicode.Scalar], in hay: [Unicode.Scalar]) -> [Int] {
        var out: [Int] = []
        for m in matches(needle, in: hay).reversed() where out.last.map({ m + needle.count <= $0 }) ?? true { out.append(m) }
        return out.reversed()
    }
}
