/// Integers that must lie in a range (sizes >= 1, counts >= 0): read where they are used, so
/// that an impossible value is an error naming the key path, the value and what is allowed,
/// never a trap later in a layer's allocation.
extension ConfigView {
    public func int(_ key: String, atLeast minimum: Int) throws -> Int {
        try checked(key, try int(key), minimum)
    }

    public func int(_ key: String, default d: Int, atLeast minimum: Int) throws -> Int {
        try checked(key, try int(key, default: d), minimum)
    }

    public func optionalInt(_ key: String, atLeast minimum: Int) throws -> Int? {
        try optionalInt(key).map { try checked(key, $0, minimum) }
    }

    public func ints(_ key: String, atLeast minimum: Int) throws -> [Int] {
        let v = try ints(key)
        for x in v { _ = try checked(key, x, minimum, list: v) }
        return v
    }

    private func checked(_ key: String, _ value: Int, _ minimum: Int, list: [Int]? = nil) throws -> Int {
        guard value >= minimum else {
            let what = minimum == 1 ? "a size of at least 1" : minimum == 0 ? "a count of at least 0" : "at least \(minimum)"
            throw error(key, "\(list.map { "\($0)" } ?? "\(value)") is not allowed: expected \(list == nil ? what : "every entry " + what)")
        }
        return value
    }
}
