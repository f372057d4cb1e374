/// What the entry readers (`JSONEntry`) need of a parsed JSON value, so that one reader serves
/// both parsers: json-c (`JSONValue`, per element, with error positions) and simdjson
/// (`SimdJSONValue`, the whole file at GB/s, no positions).
public protocol JSONReadable {
    var isNull: Bool { get }
    var isArray: Bool { get }
    var isObject: Bool { get }
    /// A short name of the JSON type, for messages ("a number", "an array").
    var typeName: String { get }
    /// The value as a double if it is a number (bools count as 0/1, as in Python).
    var double: Double? { get }
    /// The value as an integer if it is an integer, or a float with an integral value.
    var int: Int? { get }
    var string: String? { get }
    /// Calls `body` with the bytes of a string value (no copy); nil if not a string.
    func withStringBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T?
    /// The member `key` of an object (the last one of that name), nil if absent.
    func member(_ key: StaticString) -> Self?
    /// Number of elements of an array (0 for anything else).
    var count: Int { get }
    /// Element `index` of an array (`0 <= index < count`); may cost O(index).
    subscript(index: Int) -> Self { get }
    /// Calls `body` with each element of an array and its position, in order.
    func forEachElement(_ body: (Int, Self) throws -> Void) rethrows
    /// Writes the elements of an array of numbers to `out` (room for `count`) as `double`
    /// reads them; nil when all were numbers, else the position of the first that is not.
    func readNumbers(into out: UnsafeMutablePointer<Double>) -> Int?
}

/// A float read as an integer (`1.0 == 1` in Python): nil unless integral and within Int.
@inline(__always)
func integral(_ value: Double) -> Int? {
    guard value.rounded() == value, abs(value) < 9.0e18 else { return nil }
    return Int(value)
}

extension JSONValue: JSONReadable {
    public func forEachElement(_ body: (Int, JSONValue) throws -> Void) rethrows {
        for i in 0..<count { try body(i, self[i]) }
    }

    public func readNumbers(into out: UnsafeMutablePointer<Double>) -> Int? {
        for i in 0..<count {
            guard let number = self[i].double else { return i }
            out[i] = number
        }
        return nil
    }
}
