import CJSONC

/// Reads a `.json` config with json-c (strict mode: no trailing commas, double-quoted keys),
/// keeping key order and ints apart from floats, as Python's `json` does.
enum JSONLoader {
    /// The top-level object of the text; any other top-level value is an error.
    static func load(_ source: SourceText, maxDepth: Int) throws -> ConfigDict {
        guard let tokener = json_tokener_new_ex(Int32(maxDepth)) else {
            throw ConfigError(.json, "json-c could not allocate a tokenizer", at: .file(source.file))
        }
        defer { json_tokener_free(tokener) }
        json_tokener_set_flags(tokener, Int32(JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8))
        let bytes = source.bytes
        guard !bytes.isEmpty else {
            throw ConfigError(.json, "the JSON file is empty (a config is an object {...})", at: .file(source.file))
        }
        guard bytes.count < Int(Int32.max) else {
            throw ConfigError(.limit, "the JSON file is larger than 2 GiB", at: .file(source.file))
        }
        let object: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(1, buffer.count)) {
                json_tokener_parse_ex(tokener, $0, Int32(buffer.count))
            }
        }
        defer { if object != nil { json_object_put(object) } }
        let status = json_tokener_get_error(tokener)
        let end = Int(json_tokener_get_parse_end(tokener))
        if status != json_tokener_success {
            throw syntaxError(source, status, at: end)
        }
        var rest = end
        while rest < bytes.count, TextSubstitution.isSpace(bytes[rest]) { rest += 1 }
        if rest < bytes.count {
            throw source.error(.json, "JSON syntax error: extra data after the top-level value", at: rest)
        }
        guard let object, json_object_get_type(object) == json_type_object else {
            throw ConfigError(.json, "a JSON config must be an object ({...}) at the top level", at: .file(source.file))
        }
        try checkLiterals(source, upTo: end)
        guard case .dict(let dict) = convert(object) else { fatalError("unreachable: checked above") }
        return dict
    }

    private static func syntaxError(_ source: SourceText, _ status: json_tokener_error, at offset: Int) -> ConfigError {
        let bytes = source.bytes
        if status == json_tokener_continue || offset >= bytes.count {
            return source.error(.json, "JSON syntax error: unexpected end of file (an object or array is not closed)", at: bytes.count)
        }
        if status == json_tokener_error_depth {
            return source.error(.limit, "JSON nested too deeply", at: offset)
        }
        var message = "JSON syntax error at \(source.position(offset)): "
        var before = offset - 1
        while before >= 0, TextSubstitution.isSpace(bytes[before]) { before -= 1 }
        let closing = bytes[offset] == UInt8(ascii: "}") || bytes[offset] == UInt8(ascii: "]")
        if closing, before >= 0, bytes[before] == UInt8(ascii: ",") {
            message += "trailing comma after the last member (expected a key in double quotes or a value)"
        } else {
            message += String(cString: json_tokener_error_desc(status))
        }
        return source.error(.json, message, at: offset)
    }

    /// What json-c reads without a word but Python's `json` reads otherwise: an integer past
    /// 64 bits (json-c clamps it to the nearest bound; Python keeps it exact) and a lone UTF-16
    /// surrogate escape (json-c makes it U+FFFD; Python keeps a string no file can hold). Both
    /// are errors at the literal; so is a string in single quotes, which json-c takes as a key. The
    /// text has parsed, so strings and numbers are well formed.
    private static func checkLiterals(_ source: SourceText, upTo end: Int) throws {
        let b = source.bytes
        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        func unit(_ at: Int) -> UInt32? {  // the 4 hex digits of a \u escape whose backslash is at `at`
            guard at + 5 < end, b[at + 1] == UInt8(ascii: "u") else { return nil }
            return UInt32(String(decoding: b[(at + 2)..<(at + 6)], as: UTF8.self), radix: 16)
        }
        var i = 0
        while i < end {
            let c = b[i]
            if c == UInt8(ascii: "\"") {  // a string: look only at its \u escapes
                i += 1
                while i < end, b[i] != UInt8(ascii: "\"") {
                    guard b[i] == UInt8(ascii: "\\") else { i += 1; continue }
                    if let u = unit(i), (0xD800...0xDFFF).contains(u) {
                        let paired = u <= 0xDBFF && unit(i + 6).map { (0xDC00...0xDFFF).contains($0) } == true
                        guard paired else {
                            throw source.error(.json, "\\u\(String(u, radix: 16, uppercase: true)) is half of a UTF-16 surrogate "
                                               + "pair: a string must hold whole characters", at: i)
                        }
                        i += 12
                    } else {
                        i += 2
                    }
                }
                i += 1
            } else if c == UInt8(ascii: "'") {
                // json-c takes a key in single quotes even in strict mode; Python's json does not
                throw source.error(.json, "JSON syntax error: a string in single quotes (JSON needs double quotes)", at: i)
            } else if c == UInt8(ascii: "-") || isDigit(c) {
                let start = i
                i += 1
                while i < end, isDigit(b[i]) { i += 1 }
                guard i > start + 1 || isDigit(c) else { continue }  // -Infinity (json-c and Python read it)
                let integer = i == end || !".eE".utf8.contains(b[i])
                while i < end, isDigit(b[i]) || "+-.eE".utf8.contains(b[i]) { i += 1 }
                let text = String(decoding: b[start..<i], as: UTF8.self)
                if integer, Int(text) == nil {
                    throw source.error(.json, "integer \(text) does not fit in 64 bits", at: start)
                }
            } else {
                i += 1
            }
        }
    }

    /// json-c object to config value; depth is bounded by the tokenizer's depth limit.
    private static func convert(_ object: OpaquePointer?) -> ConfigValue {
        guard let object else { return .none }
        switch json_object_get_type(object) {
        case json_type_boolean:
            return .bool(json_object_get_boolean(object) != 0)
        case json_type_int:
            return .int(Int(json_object_get_int64(object)))
        case json_type_double:
            return .double(json_object_get_double(object))
        case json_type_string:
            let length = Int(json_object_get_string_len(object))
            let start = json_object_get_string(object)!
            return .string(start.withMemoryRebound(to: UInt8.self, capacity: max(1, length)) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            })
        case json_type_array:
            let count = json_object_array_length(object)
            return .list((0..<count).map { convert(json_object_array_get_idx(object, $0)) })
        case json_type_object:
            var dict = ConfigDict()
            var it = json_object_iter_begin(object)
            var end = json_object_iter_end(object)
            while json_object_iter_equal(&it, &end) == 0 {
                let key = String(cString: json_object_iter_peek_name(&it))
                dict[key] = convert(json_object_iter_peek_value(&it))
                json_object_iter_next(&it)
            }
            return .dict(dict)
        default:
            return .none
        }
    }
}

extension ConfigDict {
    /// Reads a JSON object as it is (no `_base_`, no substitutions): key order, ints and
    /// floats kept. `name` is used in messages.
    public init(jsonText: String, name: String = "<json>", maxDepth: Int = 200) throws {
        self = try JSONLoader.load(SourceText(file: name, original: Array(jsonText.utf8)), maxDepth: maxDepth)
    }
}
