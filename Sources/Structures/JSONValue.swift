import CJSONC
import Foundation

/// A borrowed json-c value (valid while its `JSONElementParser.withValue` call runs), with
/// typed accessors that say what they expected. Numbers are float64 as Python's `json` reads
/// them (json-c parses with strtod, correctly rounded); integral floats are accepted as ints
/// (`1.0 == 1` in Python).
public struct JSONValue {
    let object: OpaquePointer?

    var type: json_type { json_object_get_type(object) }
    public var isNull: Bool { object == nil }

    /// The member `key` of an object, nil if absent (or if this is not an object).
    public func member(_ key: String) -> JSONValue? {
        guard type == json_type_object else { return nil }
        var value: OpaquePointer? = nil
        guard json_object_object_get_ex(object, key, &value) != 0 else { return nil }
        return JSONValue(object: value)
    }

    /// `member` for a literal key (no C string is built per call).
    public func member(_ key: StaticString) -> JSONValue? {
        guard type == json_type_object else { return nil }
        var value: OpaquePointer? = nil
        let found = key.utf8Start.withMemoryRebound(to: CChar.self, capacity: key.utf8CodeUnitCount + 1) {
            json_object_object_get_ex(object, $0, &value)
        }
        return found != 0 ? JSONValue(object: value) : nil
    }

    /// The value as a double if it is a number (bools count as 0/1, as in Python).
    public var double: Double? {
        switch type {
        case json_type_double: return json_object_get_double(object)
        case json_type_int: return Double(json_object_get_int64(object))
        case json_type_boolean: return json_object_get_boolean(object) != 0 ? 1 : 0
        default: return nil
        }
    }

    /// The value as an integer if it is an integer, or a float with an integral value.
    public var int: Int? {
        switch type {
        case json_type_int: return Int(json_object_get_int64(object))
        case json_type_boolean: return json_object_get_boolean(object) != 0 ? 1 : 0
        case json_type_double: return integral(json_object_get_double(object))
        default: return nil
        }
    }

    public var string: String? {
        guard type == json_type_string, let start = json_object_get_string(object) else { return nil }
        let length = Int(json_object_get_string_len(object))
        return start.withMemoryRebound(to: UInt8.self, capacity: max(1, length)) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// Calls `body` with the bytes of a string value (no copy); nil if not a string.
    public func withStringBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T? {
        guard type == json_type_string, let start = json_object_get_string(object) else { return nil }
        let length = Int(json_object_get_string_len(object))
        return try start.withMemoryRebound(to: UInt8.self, capacity: max(1, length)) {
            try body(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    public var isArray: Bool { type == json_type_array }
    public var isObject: Bool { type == json_type_object }
    public var isString: Bool { type == json_type_string }

    /// Number of elements of an array (0 for anything else).
    public var count: Int { isArray ? Int(json_object_array_length(object)) : 0 }

    /// The member names of an object, in file order (empty for anything else).
    public var memberNames: [String] {
        guard isObject else { return [] }
        var names: [String] = []
        var it = json_object_iter_begin(object)
        var end = json_object_iter_end(object)
        while json_object_iter_equal(&it, &end) == 0 {
            names.append(String(cString: json_object_iter_peek_name(&it)))
            json_object_iter_next(&it)
        }
        return names
    }

    /// The value as plain Swift values (`Double` for floats, `Int` for ints, `String`, `Bool`,
    /// `[Any]`, `[String: Any]`, `NSNull`-free: null is `Optional<Any>.none` as `nil`), for
    /// small documents such as expected-value fixtures.
    public var plain: Any? {
        switch type {
        case json_type_null: return nil
        case json_type_boolean: return json_object_get_boolean(object) != 0
        case json_type_int: return Int(json_object_get_int64(object))
        case json_type_double: return json_object_get_double(object)
        case json_type_string: return string
        case json_type_array: return (0..<count).map { self[$0].plain as Any }
        case json_type_object:
            var dict: [String: Any] = [:]
            for name in memberNames { dict[name] = member(name)?.plain as Any }
            return dict
        default: return nil
        }
    }

    public subscript(index: Int) -> JSONValue { JSONValue(object: json_object_array_get_idx(object, index)) }

    /// An array of numbers as doubles; nil if not an array or an element is not a number.
    public var doubles: [Double]? {
        guard isArray else { return nil }
        let n = count
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n {
            guard let value = self[i].double else { return nil }
            out[i] = value
        }
        return out
    }

    /// A short name of the JSON type, for messages.
    public var typeName: String {
        switch type {
        case json_type_null: return "null"
        case json_type_boolean: return "a boolean"
        case json_type_double, json_type_int: return "a number"
        case json_type_string: return "a string"
        case json_type_array: return "an array"
        case json_type_object: return "an object"
        default: return "an unknown value"
        }
    }
}

/// json-c's tokenizer applied to one span of a `JSONText` at a time (strict mode, UTF-8
/// validated). One per thread.
public final class JSONElementParser {
    public let text: JSONText
    private let tokener: UnsafeMutablePointer<json_tokener>

    public init(_ text: JSONText) {
        self.text = text
        guard let tokener = json_tokener_new_ex(64) else { fatalError("json-c could not allocate a tokenizer") }
        json_tokener_set_flags(tokener, Int32(JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8))
        self.tokener = tokener
    }

    deinit { json_tokener_free(tokener) }

    /// Parses the span as one complete JSON value and calls `body` with it; the value is freed
    /// afterwards. Syntax errors name the file and the line:column where json-c stopped.
    public func withValue<T>(_ span: Range<Int>, _ body: (JSONValue) throws -> T) throws -> T {
        guard span.count < Int(Int32.max) else {
            throw text.error(.syntax, "a single JSON value larger than 2 GiB", at: span.lowerBound)
        }
        json_tokener_reset(tokener)
        let start = UnsafeRawPointer(text.base + span.lowerBound).assumingMemoryBound(to: CChar.self)
        var object = json_tokener_parse_ex(tokener, start, Int32(span.count))
        var status = json_tokener_get_error(tokener)
        if status == json_tokener_continue {
            // A bare scalar (e.g. a number) needs to see its end; an empty chunk marks it.
            object = json_tokener_parse_ex(tokener, "", 1)
            status = json_tokener_get_error(tokener)
        }
        defer { if object != nil { json_object_put(object) } }
        let end = span.lowerBound + Int(json_tokener_get_parse_end(tokener))
        guard status == json_tokener_success else {
            let message = status == json_tokener_continue
                ? "unexpected end of a JSON value" : String(cString: json_tokener_error_desc(status))
            throw text.error(.syntax, "JSON syntax error: \(message)", at: min(end, span.upperBound))
        }
        if end < span.upperBound, status == json_tokener_success, object != nil || end > span.lowerBound {
            if text.skipSpace(end) < span.upperBound {
                throw text.error(.syntax, "JSON syntax error: unexpected character", at: end)
            }
        }
        return try body(JSONValue(object: object))
    }

    /// Parses consecutive elements of one array together (json-c is fed `[`, the text from the
    /// first element to the last, and `]`, so its per-call set-up is paid once per batch) and
    /// calls `body` with each element and its position in `spans`. If the batch does not
    /// parse, the elements are parsed one by one so the error names the failing one.
    public func withElements(
        _ spans: ArraySlice<Range<Int>>, _ body: (JSONValue, Int) throws -> Void
    ) throws {
        guard let first = spans.first, let last = spans.last else { return }
        let length = last.upperBound - first.lowerBound
        guard spans.count > 1, length < Int(Int32.max) else {
            for index in spans.indices { try withValue(spans[index]) { try body($0, index) } }
            return
        }
        json_tokener_reset(tokener)
        _ = json_tokener_parse_ex(tokener, "[", 1)
        let start = UnsafeRawPointer(text.base + first.lowerBound).assumingMemoryBound(to: CChar.self)
        _ = json_tokener_parse_ex(tokener, start, Int32(length))
        let array = json_tokener_get_error(tokener) == json_tokener_continue ? json_tokener_parse_ex(tokener, "]", 1) : nil
        defer { if array != nil { json_object_put(array) } }
        guard let array, json_tokener_get_error(tokener) == json_tokener_success,
              json_object_get_type(array) == json_type_array, Int(json_object_array_length(array)) == spans.count
        else {
            for index in spans.indices { try withValue(spans[index]) { try body($0, index) } }
            return
        }
        for (k, index) in spans.indices.enumerated() {
            try body(JSONValue(object: json_object_array_get_idx(array, k)), index)
        }
    }
}
