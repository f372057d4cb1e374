import CSimdJSON

/// What a reader of many array elements needs of a parser: parse consecutive elements of one
/// `JSONText` (their spans from the byte scan) and hand each to `body`. One per thread.
public protocol JSONBatchParser {
    associatedtype Value: JSONReadable
    /// Elements per call that amortize the parser's set-up.
    static var batchSize: Int { get }
    init(_ text: JSONText)
    /// Parses the elements `spans` (consecutive, in order) and calls `body` with each value and
    /// its index in `spans`; values are valid during the call only.
    func withElements(_ spans: ArraySlice<Range<Int>>, _ body: (Value, Int) throws -> Void) throws
}

extension JSONElementParser: JSONBatchParser {
    public static var batchSize: Int { 64 }
}

/// simdjson (Debian's libsimdjson, through the C view in CSimdJSON) parsing consecutive array
/// elements at GB/s: their text is copied, as one array, into a padded buffer that is reused,
/// as is the parser's memory, so a large file costs no page faults past the first batch.
/// simdjson says only whether and why a text does not parse, not where: readers read a file
/// that fails again with json-c (`JSONElementParser`) to locate the error.
public final class SimdJSONParser: JSONBatchParser {
    /// Nesting accepted: no more than json-c's tokenizer of `JSONElementParser` accepts (the
    /// array around a batch is one level).
    public static let maxDepth = 64
    public static var batchSize: Int { 512 }

    /// The instruction set simdjson runs with on this CPU.
    public static var implementation: String { String(cString: sdj_implementation()) }

    public let text: JSONText
    private let document: OpaquePointer
    private var buffer: UnsafeMutablePointer<CChar>
    private var capacity = 0

    public init(_ text: JSONText) {
        self.text = text
        guard let document = sdj_document_new() else { fatalError("simdjson could not allocate a parser") }
        self.document = document
        buffer = .allocate(capacity: 1)
    }

    deinit {
        sdj_document_free(document)
        buffer.deallocate()
    }

    public func withElements(_ spans: ArraySlice<Range<Int>>, _ body: (SimdJSONValue, Int) throws -> Void) throws {
        guard let first = spans.first, let last = spans.last else { return }
        let length = last.upperBound - first.lowerBound + 2
        if length + Int(SDJ_PADDING) > capacity {
            buffer.deallocate()
            capacity = max(length + Int(SDJ_PADDING), capacity * 2)
            buffer = .allocate(capacity: capacity)
        }
        buffer[0] = 91  // [
        (text.base + first.lowerBound).withMemoryRebound(to: CChar.self, capacity: length - 2) {
            (buffer + 1).update(from: $0, count: length - 2)
        }
        buffer[length - 1] = 93  // ]
        var root = sdj_value()
        let status = sdj_parse(document, buffer, length, SimdJSONParser.maxDepth, &root)
        guard status == 0 else { throw Failure(message: String(cString: sdj_error_message(status))) }
        let array = SimdJSONValue(raw: root)
        guard array.count == spans.count else { throw Failure(message: "the byte scan and simdjson disagree on the elements") }
        var index = spans.startIndex
        try array.forEachElement { _, value in
            try body(value, index)
            index += 1
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { "simdjson: \(message)" }
    }
}

/// One value parsed by `SimdJSONParser` (valid inside the body it is given to). Numbers read
/// as `JSONValue` reads them; an integer above Int64.max is no number here (json-c's reading
/// of it decides).
public struct SimdJSONValue: JSONReadable, @unchecked Sendable {
    let raw: sdj_value

    var type: sdj_type { sdj_value_type(raw) }

    public var isNull: Bool { type == SDJ_NULL }
    public var isArray: Bool { type == SDJ_ARRAY }
    public var isObject: Bool { type == SDJ_OBJECT }

    public var typeName: String {
        switch type {
        case SDJ_NULL: return "null"
        case SDJ_BOOL: return "a boolean"
        case SDJ_INT64, SDJ_UINT64, SDJ_DOUBLE: return "a number"
        case SDJ_STRING: return "a string"
        case SDJ_ARRAY: return "an array"
        default: return "an object"
        }
    }

    public var double: Double? {
        switch type {
        case SDJ_DOUBLE: return sdj_double(raw)
        case SDJ_INT64: return Double(sdj_int64(raw))
        case SDJ_BOOL: return sdj_bool(raw) != 0 ? 1 : 0
        default: return nil
        }
    }

    public var int: Int? {
        switch type {
        case SDJ_INT64: return Int(sdj_int64(raw))
        case SDJ_BOOL: return sdj_bool(raw) != 0 ? 1 : 0
        case SDJ_DOUBLE: return integral(sdj_double(raw))
        default: return nil
        }
    }

    public var string: String? { withStringBytes { String(decoding: $0, as: UTF8.self) } }

    public func withStringBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T? {
        guard type == SDJ_STRING else { return nil }
        var length = 0
        let start = sdj_string(raw, &length)!
        return try start.withMemoryRebound(to: UInt8.self, capacity: max(1, length)) {
            try body(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    public func member(_ key: StaticString) -> SimdJSONValue? {
        var out = sdj_value()
        var name: UnsafePointer<CChar>? = key.utf8Start.withMemoryRebound(to: CChar.self, capacity: key.utf8CodeUnitCount) { $0 }
        var length = key.utf8CodeUnitCount
        let found = sdj_object_fields(raw, &name, &length, 1, &out)
        return found != 0 ? SimdJSONValue(raw: out) : nil
    }

    public var count: Int { isArray ? sdj_array_count(raw) : 0 }

    public subscript(index: Int) -> SimdJSONValue {
        var out = sdj_value()
        precondition(sdj_array_at(raw, index, &out) != 0, "array index \(index) out of range")
        return SimdJSONValue(raw: out)
    }

    public func forEachElement(_ body: (Int, SimdJSONValue) throws -> Void) rethrows {
        let n = count
        guard n > 0 else { return }
        try withUnsafeTemporaryAllocation(of: sdj_value.self, capacity: n) { buffer in
            let written = sdj_array_values(raw, buffer.baseAddress, n)
            for i in 0..<written { try body(i, SimdJSONValue(raw: buffer[i])) }
        }
    }

    public func readNumbers(into out: UnsafeMutablePointer<Double>) -> Int? {
        let failed = sdj_array_doubles(raw, out, count)
        return failed < 0 ? nil : failed
    }
}
