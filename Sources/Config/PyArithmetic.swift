import Foundation

/// Python's arithmetic on config values: `+ - * / // % **` on ints and floats (int / int is a
/// float, `//` and `%` round toward negative infinity, bools count as 0 and 1), `+` on strings,
/// lists and tuples, `*` of a sequence by an int, and `str % args` formatting. Int overflow
/// (ints are 64-bit here), division by zero and oversized results are errors (messages without
/// a place; the evaluator adds it).
enum PyArithmetic {
    /// Largest sequence a `*` may build (elements or characters).
    static let maxRepeatedCount = 1_000_000

    enum Number {
        case int(Int)
        case double(Double)
    }

    static func number(_ v: ConfigValue) -> Number? {
        switch v {
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .bool(let b): return .int(b ? 1 : 0)
        default: return nil
        }
    }

    static func value(_ n: Number) -> ConfigValue {
        switch n {
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        }
    }

    static func unary(_ op: PyOp, _ v: ConfigValue) throws(ArithmeticError) -> ConfigValue {
        guard let n = number(v) else {
            throw ArithmeticError("bad operand type for unary \(op.rawValue): '\(v.typeName)'")
        }
        switch (op, n) {
        case (.plus, _): return value(n)
        case (_, .int(let i)):
            guard i != Int.min else { throw ArithmeticError("integer overflow in -\(i)") }
            return .int(-i)
        case (_, .double(let d)): return .double(-d)
        }
    }

    static func binary(_ op: PyOp, _ a: ConfigValue, _ b: ConfigValue) throws(ArithmeticError) -> ConfigValue {
        if let x = number(a), let y = number(b) { return try numeric(op, x, y) }
        switch (op, a, b) {
        case (.plus, .string(let x), .string(let y)):
            try PySemantics.checkText(x, y)
            return .string(x + y)
        case (.plus, .list(let x), .list(let y)):
            try PySemantics.checkSize(x.count + y.count)
            return .list(x + y)
        case (.plus, .tuple(let x), .tuple(let y)):
            try PySemantics.checkSize(x.count + y.count)
            return .tuple(x + y)
        case (.percent, .string(let format), _): return .string(try PyPercentFormat.format(format, b))
        case (.star, _, .int), (.star, _, .bool): return try repeated(a, count: b)
        case (.star, .int, _), (.star, .bool, _): return try repeated(b, count: a)
        default:
            throw ArithmeticError("unsupported operand types for \(op.rawValue): '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    private static func numeric(_ op: PyOp, _ x: Number, _ y: Number) throws(ArithmeticError) -> ConfigValue {
        if case .int(let i) = x, case .int(let j) = y, op != .slash {
            let (r, overflow): (Int, Bool)
            switch op {
            case .plus: (r, overflow) = i.addingReportingOverflow(j)
            case .minus: (r, overflow) = i.subtractingReportingOverflow(j)
            case .star: (r, overflow) = i.multipliedReportingOverflow(by: j)
            case .doubleSlash, .percent:
                guard j != 0 else { throw ArithmeticError("integer division or modulo by zero") }
                guard !(i == Int.min && j == -1) else { throw ArithmeticError("integer overflow in \(i) \(op.rawValue) \(j) (ints are 64-bit here)") }
                var q = i / j, m = i % j
                if m != 0 && (m < 0) != (j < 0) {
                    q -= 1
                    m += j
                }
                return .int(op == .percent ? m : q)
            default:
                if j < 0 {
                    guard i != 0 else { throw ArithmeticError("0 cannot be raised to a negative power") }
                    return .double(Foundation.pow(Double(i), Double(j)))
                }
                (r, overflow) = integerPower(i, j)
            }
            guard !overflow else { throw ArithmeticError("integer overflow in \(i) \(op.rawValue) \(j) (ints are 64-bit here)") }
            return .int(r)
        }
        let p = double(x), q = double(y)
        switch op {
        case .plus: return .double(p + q)
        case .minus: return .double(p - q)
        case .star: return .double(p * q)
        case .doubleSlash, .percent:
            guard q != 0 else { throw ArithmeticError("float division by zero") }
            let (div, mod) = floatDivMod(p, q)
            return .double(op == .percent ? mod : div)
        case .doubleStar:
            if p == 0 && q < 0 { throw ArithmeticError("0.0 cannot be raised to a negative power") }
            if p < 0 && q != q.rounded() { throw ArithmeticError("a negative number to a fractional power is complex") }
            return .double(Foundation.pow(p, q))
        default:
            guard q != 0 else { throw ArithmeticError("division by zero") }
            return .double(p / q)
        }
    }

    private static func integerPower(_ base: Int, _ exponent: Int) -> (Int, Bool) {
        var result = 1, b = base, e = exponent
        while e > 0 {
            if e & 1 == 1 {
                let (r, o) = result.multipliedReportingOverflow(by: b)
                if o { return (0, true) }
                result = r
            }
            e >>= 1
            if e > 0 {
                let (sq, o) = b.multipliedReportingOverflow(by: b)
                if o { return (0, true) }
                b = sq
            }
        }
        return (result, false)
    }

    /// CPython's float `divmod`: the remainder takes the divisor's sign.
    private static func floatDivMod(_ v: Double, _ w: Double) -> (Double, Double) {
        var mod = fmod(v, w)
        var div = (v - mod) / w
        if mod != 0 {
            if (w < 0) != (mod < 0) {
                mod += w
                div -= 1
            }
        } else {
            mod = copysign(0, w)
        }
        var floorDiv: Double
        if div != 0 {
            floorDiv = div.rounded(.down)
            if div - floorDiv > 0.5 { floorDiv += 1 }
        } else {
            floorDiv = copysign(0, v / w)
        }
        return (floorDiv, mod)
    }

    private static func double(_ n: Number) -> Double {
        switch n {
        case .int(let i): return Double(i)
        case .double(let d): return d
        }
    }

    private static func repeated(_ seq: ConfigValue, count: ConfigValue) throws(ArithmeticError) -> ConfigValue {
        guard case .int(let raw)? = number(count).map(value) else {
            throw ArithmeticError("can't multiply sequence by non-int of type '\(count.typeName)'")
        }
        let n = max(0, raw)
        if seq.elements?.isEmpty ?? false || seq.stringValue?.isEmpty ?? false {
            if case .tuple = seq { return .tuple([]) }
            return seq  // an empty sequence repeated any number of times
        }
        func check(_ size: Int) throws(ArithmeticError) {
            let (total, overflow) = size.multipliedReportingOverflow(by: n)
            guard !overflow, total <= maxRepeatedCount else {
                throw ArithmeticError("sequence repetition too large (more than \(maxRepeatedCount) elements)")
            }
        }
        switch seq {
        case .string(let s):
            try check(s.unicodeScalars.count)
            return .string(String(repeating: s, count: n))
        case .list(let items):
            try check(items.count)
            return .list(Array([[ConfigValue]](repeating: items, count: n).joined()))
        case .tuple(let items):
            try check(items.count)
            return .tuple(Array([[ConfigValue]](repeating: items, count: n).joined()))
        default:
            throw ArithmeticError("unsupported operand types for *: '\(seq.typeName)' and '\(count.typeName)'")
        }
    }
}

/// An arithmetic failure, located by the caller.
struct ArithmeticError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
