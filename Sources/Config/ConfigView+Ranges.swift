/// Numbers that must lie in a range (sizes >= 1, counts >= 0, probabilities in [0, 1], lists of
/// a fixed length): read where they are used, so that an impossible value is an error naming
/// the key path, the value and what is allowed, never a trap later in a layer's allocation.
extension ConfigView {
    /// The largest size or count read with a lower bound only (`atLeast`): 2^31 - 1, PyTorch's
    /// int32 index range. Sizes past it make no tensor that fits in memory, and keeping them there
    /// leaves room for the arithmetic on them (channels times widths, a stride times a grid,
    /// classes + 1) to stay in 64 bits instead of trapping.
    public static let maxSize = Int(Int32.max)

    public func int(_ key: String, atLeast minimum: Int) throws -> Int {
        try checked(key, try int(key), minimum...ConfigView.maxSize)
    }

    public func int(_ key: String, default d: Int, atLeast minimum: Int) throws -> Int {
        try checked(key, try int(key, default: d), minimum...ConfigView.maxSize)
    }

    public func optionalInt(_ key: String, atLeast minimum: Int) throws -> Int? {
        try optionalInt(key).map { try checked(key, $0, minimum...ConfigView.maxSize) }
    }

    public func ints(_ key: String, atLeast minimum: Int) throws -> [Int] {
        let v = try ints(key)
        for x in v { _ = try checked(key, x, minimum...ConfigView.maxSize, list: v) }
        return v
    }

    /// An int in `range` (`why`, when given, says what a value outside it would do).
    public func int(_ key: String, default d: Int? = nil, in range: ClosedRange<Int>, why: String? = nil) throws -> Int {
        try checked(key, try d.map { try int(key, default: $0) } ?? int(key), range, why: why)
    }

    /// Ints each in `range`, `count` of them when given (a range of allowed lengths).
    public func ints(_ key: String, default d: [Int]? = nil, in range: ClosedRange<Int>, count: ClosedRange<Int>? = nil,
                     why: String? = nil) throws -> [Int] {
        let v = try d.map { try ints(key, default: $0) } ?? ints(key)
        try checkCount(key, v.map(String.init), count)
        for x in v { _ = try checked(key, x, range, list: v, why: why) }
        return v
    }

    /// A float in `range` (finite).
    public func double(_ key: String, default d: Double? = nil, in range: ClosedRange<Double>, why: String? = nil) throws -> Double {
        try checked(key, try d.map { try double(key, default: $0) } ?? double(key), range, why: why)
    }

    /// A finite float of at least `minimum` (a weight, a count-like float).
    public func double(_ key: String, default d: Double? = nil, atLeast minimum: Double, why: String? = nil) throws -> Double {
        try double(key, default: d, in: minimum...Double.greatestFiniteMagnitude, why: why)
    }

    /// An optional (absent or None) finite float of at least `minimum`.
    public func optionalDouble(_ key: String, atLeast minimum: Double) throws -> Double? {
        try optionalDouble(key).map { _ in try double(key, atLeast: minimum) }
    }

    /// A float strictly above `bound` (a scale, a standard deviation, a beta), and finite.
    public func double(_ key: String, default d: Double? = nil, above bound: Double, why: String? = nil) throws -> Double {
        let v = try d.map { try double(key, default: $0) } ?? double(key)
        guard v > bound, v.isFinite else {
            throw error(key, "\(v) is not allowed: expected a number above \(bound.shown)" + (why.map { " (\($0))" } ?? ""))
        }
        return v
    }

    /// Floats each in `range`, `count` of them when given.
    public func doubles(_ key: String, default d: [Double]? = nil, in range: ClosedRange<Double>, count: ClosedRange<Int>? = nil,
                        why: String? = nil) throws -> [Double] {
        let v = try d.map { try doubles(key, default: $0) } ?? doubles(key)
        try checkCount(key, v.map(\.shown), count)
        for x in v { _ = try checked(key, x, range, list: v, why: why) }
        return v
    }

    /// Floats each strictly above `bound`, `count` of them when given.
    public func doubles(_ key: String, default d: [Double]? = nil, above bound: Double, count: ClosedRange<Int>? = nil,
                        why: String? = nil) throws -> [Double] {
        let v = try d.map { try doubles(key, default: $0) } ?? doubles(key)
        try checkCount(key, v.map(\.shown), count)
        for x in v where !(x > bound && x.isFinite) {
            throw error(key, "\(v.map(\.shown)) is not allowed: expected every entry above \(bound.shown)" + (why.map { " (\($0))" } ?? ""))
        }
        return v
    }

    private func checkCount(_ key: String, _ shown: [String], _ count: ClosedRange<Int>?) throws {
        guard let count, !count.contains(shown.count) else { return }
        let expected = count.lowerBound == count.upperBound ? "\(count.lowerBound)"
            : count.upperBound == Int.max ? "at least \(count.lowerBound)" : "\(count.lowerBound) to \(count.upperBound)"
        throw error(key, "[\(shown.joined(separator: ", "))] has \(shown.count) entries: expected \(expected)")
    }

    private func checked(_ key: String, _ value: Int, _ range: ClosedRange<Int>, list: [Int]? = nil, why: String? = nil) throws -> Int {
        guard !range.contains(value) else { return value }
        let what: String
        switch (range.lowerBound, range.upperBound) {
        case (1, ConfigView.maxSize): what = "a size of at least 1 (at most \(ConfigView.maxSize))"
        case (0, ConfigView.maxSize): what = "a count of at least 0 (at most \(ConfigView.maxSize))"
        case (let lo, ConfigView.maxSize): what = "at least \(lo) (at most \(ConfigView.maxSize))"
        case (let lo, let hi): what = "an integer from \(lo) to \(hi)"
        }
        let shown = list.map { "\($0)" } ?? "\(value)"
        throw error(key, "\(shown) is not allowed: expected \(list == nil ? what : "every entry " + what)" + (why.map { " (\($0))" } ?? ""))
    }

    private func checked(_ key: String, _ value: Double, _ range: ClosedRange<Double>, list: [Double]? = nil, why: String? = nil) throws -> Double {
        guard !(range.contains(value) && value.isFinite) else { return value }
        let what: String
        switch (range.lowerBound, range.upperBound) {
        case (let lo, .greatestFiniteMagnitude): what = "a number of at least \(lo.shown)"
        case (let lo, let hi): what = "a number from \(lo.shown) to \(hi.shown)"
        }
        let shown = list.map { "\($0.map(\.shown))" } ?? value.shown
        throw error(key, "\(shown) is not allowed: expected \(list == nil ? what : "every entry " + what)" + (why.map { " (\($0))" } ?? ""))
    }
}

extension Double {
    /// As Python prints a float in a config: 0.5, 1e+30, -1.0.
    var shown: String { self == rounded() && abs(self) < 1e16 ? String(format: "%.1f", self) : "\(self)" }
}
