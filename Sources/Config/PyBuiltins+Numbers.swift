import Foundation

/// The numeric builtins' exact parts: `int(s, base)` and CPython's `round`.
extension PyBuiltins {
    /// `int(s, base)`: whitespace, a sign, the base's prefix (any of 0x 0o 0b for base 0),
    /// digits with single underscores between them.
    static func parseInt(_ text: String, base: Int) -> Int? {
        var s = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines)).lowercased()[...]
        var negative = false
        if s.hasPrefix("-") || s.hasPrefix("+") {
            negative = s.hasPrefix("-")
            s = s.dropFirst()
        }
        var radix = base
        for (prefix, r) in [("0x", 16), ("0o", 8), ("0b", 2)] where s.hasPrefix(prefix) && (base == r || base == 0) {
            radix = r
            s = s.dropFirst(2)
            if s.hasPrefix("_") { s = s.dropFirst() }
        }
        if radix == 0 {
            guard s.allSatisfy({ $0 == "0" || $0 == "_" }) || !s.hasPrefix("0") else { return nil }
            radix = 10
        }
        guard (2...36).contains(radix), !s.isEmpty, !s.hasPrefix("_"), !s.hasSuffix("_"), !s.contains("__"),
              s.allSatisfy({ $0 == "_" || $0.isHexDigit || $0.isLetter }) else { return nil }
        guard let magnitude = UInt64(s.replacingOccurrences(of: "_", with: ""), radix: radix) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else { return nil }
            return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        return magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
    }

    static func value(_ o: PyObject) throws(Failure) -> ConfigValue {
        guard case .value(let v) = o else { throw Failure("expected a value, got a \(o.typeName)") }
        return v
    }

    static func unique(_ items: [ConfigValue]) throws(Failure) -> [ConfigValue] {
        var out: [ConfigValue] = []
        var seen = Set<[UInt8]>()
        for item in items where seen.insert(try hashKey(item)).inserted { out.append(item) }
        return out
    }

    /// Bytes equal exactly when Python's `==` holds for hashable values (1 == 1.0 == True,
    /// strings by code point, tuples element-wise); lists and dicts are unhashable.
    static func hashKey(_ v: ConfigValue) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        func add(_ v: ConfigValue) throws(Failure) {
            switch v {
            case .list, .dict: throw Failure("unhashable type: '\(v.typeName)'")
            case .none: out.append(0)
            case .string(let s):
                out.append(1)
                out += withUnsafeBytes(of: UInt64(s.utf8.count).littleEndian, Array.init)
                out += Array(s.utf8)
            case .tuple(let items):
                out.append(2)
                out += withUnsafeBytes(of: UInt64(items.count).littleEndian, Array.init)
                for item in items { try add(item) }
            case .bool, .int, .double:
                switch PyArithmetic.number(v)! {
                case .int(let i):
                    out.append(3)
                    out += withUnsafeBytes(of: i.littleEndian, Array.init)
                case .double(let d):
                    if d.isFinite, d == d.rounded(), d >= -9.223372036854775808e18, d < 9.223372036854775808e18 {
                        out.append(3)
                        out += withUnsafeBytes(of: Int(d).littleEndian, Array.init)
                    } else {
                        out.append(4)
                        out += withUnsafeBytes(of: (d == 0 ? 0 : d).bitPattern.littleEndian, Array.init)
                    }
                }
            }
        }
        try add(v)
        return out
    }

    static func round(_ a: inout Arguments) throws -> PyObject {
        let digitsArg = a.args.count > 1 ? a.args[1] : a.keyword("ndigits")
        try a.noOtherKeywords()
        guard a.args.count == 1 || a.args.count == 2 else { throw Failure("round() takes 1 or 2 arguments") }
        let x = try value(a.args[0])
        guard let n = PyArithmetic.number(x) else { throw Failure("type \(x.typeName) doesn't define __round__ method") }
        var digits: Int?
        if let d = digitsArg, !(d.configValue?.isNone ?? false) {
            guard case .value(.int(let k)) = d else { throw Failure("round() ndigits must be an int") }
            digits = max(-400, min(400, k))
        }
        switch (n, digits) {
        case (.int(let i), nil): return int(i)
        case (.int(let i), let k?):
            guard k < 0 else { return int(i) }
            if k <= -19 {  // 10**19 is past 64 bits: the result is 0, or 10**19 and too large
                if k == -19 && i.magnitude > 5_000_000_000_000_000_000 { throw Failure("round(\(i), \(k)) does not fit in 64 bits") }
                return int(0)
            }
            var p = 1
            for _ in 0..<(-k) { p *= 10 }
            var q = i / p, r = i % p
            if r < 0 { q -= 1; r += p }
            if 2 * r > p || (2 * r == p && q % 2 != 0) { q += 1 }
            let (v, o) = q.multipliedReportingOverflow(by: p)
            guard !o else { throw Failure("integer overflow in round") }
            return int(v)
        case (.double(let d), nil):
            guard d.isFinite else { throw Failure("cannot convert float \(PythonNumbers.repr(d)) to integer") }
            let r = d.rounded(.toNearestOrEven)
            guard r.magnitude < 9.2e18 else { throw Failure("round(\(PythonNumbers.repr(d))) does not fit in 64 bits") }
            return int(Int(r))
        case (.double(let d), let k?):
            guard d.isFinite, k < 324 else { return .value(.double(d)) }
            let r = roundDecimal(d, k)
            guard r.isFinite else { throw Failure("rounded value too large to represent") }
            return .value(.double(r))
        }
    }

    /// `round(d, k)` as CPython does it: the exact decimal value of `d` rounded half to even at
    /// 10^-k, read back as the nearest float.
    static func roundDecimal(_ d: Double, _ k: Int) -> Double {
        if k >= 0 { return Double(String(format: "%.\(k)f", d)) ?? d }
        let exact = String(format: "%.1100f", d.magnitude)  // glibc prints a double's exact decimal value
        let point = exact.firstIndex(of: ".")!
        let whole = Array(exact[..<point]), fraction = exact[exact.index(after: point)...]
        let m = -k
        guard whole.count >= m else {
            // |d| < 10^m: 0, or 10^m when |d| is past the half (exactly half rounds to even 0)
            let half = "5" + String(repeating: "0", count: m - 1)
            let padded = String(repeating: "0", count: m - whole.count) + String(whole)
            let up = padded > half || (padded == half && fraction.contains { $0 != "0" })
            return up ? (d.sign == .minus ? -1 : 1) * (Double("1e\(m)") ?? .infinity) : (d.sign == .minus ? -0.0 : 0.0)
        }
        var head = Array(whole[..<(whole.count - m)])
        let rest = String(whole[(whole.count - m)...])
        let half = "5" + String(repeating: "0", count: m - 1)
        let tieOrMore = rest > half || (rest == half && fraction.contains { $0 != "0" })
        let isTie = rest == half && !fraction.contains { $0 != "0" }
        let lastOdd = (head.last.flatMap { $0.wholeNumberValue } ?? 0) % 2 == 1
        if tieOrMore || (isTie && lastOdd) {
            var j = head.count - 1
            while j >= 0 {
                if head[j] == "9" { head[j] = "0"; j -= 1 } else { head[j] = Character(String(head[j].wholeNumberValue! + 1)); break }
            }
            if j < 0 { head.insert("1", at: 0) }
        }
        let magnitude = Double(String(head.isEmpty ? ["0"] : head) + "e\(m)") ?? .infinity
        return d.sign == .minus ? -magnitude : magnitude
    }
}
