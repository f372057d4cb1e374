import CYAML

/// Reads a `.yaml`/`.yml` config through libyaml's event parser, building values with an
/// explicit stack (no recursion), scalars read as PyYAML reads them (YAMLScalars). One
/// document whose top level is a mapping; anchors and aliases work; merge keys (`<<`),
/// timestamps and Python tags (`!!python/tuple`) are refused.
struct YAMLLoader {
    let source: SourceText
    let maxDepth: Int
    /// Largest number of values a document may expand to (aliases share, but count).
    static let maxNodes = 5_000_000

    private struct Built {
        let value: ConfigValue
        let depth: Int
        let nodes: Int
    }

    private enum Frame {
        case sequence(items: [ConfigValue], anchor: String?, depth: Int, nodes: Int, tag: String?)
        case mapping(dict: ConfigDict, key: String?, anchor: String?, depth: Int, nodes: Int, tag: String?)
    }

    private var stack: [Frame] = []
    private var anchors: [String: Built] = [:]
    private var root: Built?
    private var documents = 0

    init(source: SourceText, maxDepth: Int) {
        self.source = source
        self.maxDepth = maxDepth
    }

    static func load(_ source: SourceText, maxDepth: Int) throws -> ConfigDict {
        var loader = YAMLLoader(source: source, maxDepth: maxDepth)
        return try loader.run()
    }

    private mutating func run() throws -> ConfigDict {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer {
            parser.deallocate()
            event.deallocate()
        }
        guard yaml_parser_initialize(parser) != 0 else {
            throw ConfigError(.yaml, "libyaml could not allocate a parser", at: .file(source.file))
        }
        defer { yaml_parser_delete(parser) }
        let bytes = source.bytes
        try bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var done = false
            while !done {
                guard yaml_parser_parse(parser, event) != 0 else { throw syntaxError(parser) }
                defer { yaml_event_delete(event) }
                done = try handle(event.pointee)
            }
        }
        guard let root, case .dict(let dict) = root.value else {
            throw ConfigError(.yaml, "a YAML config must be a mapping (key: value lines) at the top level", at: .file(source.file))
        }
        return dict
    }

    /// Handles one event; returns true at the end of the stream.
    private mutating func handle(_ event: yaml_event_t) throws -> Bool {
        let offset = markOffset(event.start_mark)
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw source.error(.yaml, "a YAML config holds one document; found a second one", at: offset)
            }
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let text = Self.string(s.value, Int(s.length))
            let value = try scalar(text, tag: Self.optionalString(s.tag), plain: s.style == YAML_PLAIN_SCALAR_STYLE, at: offset)
            try add(Built(value: value, depth: 0, nodes: 1), anchor: Self.optionalString(s.anchor), at: offset)
        case YAML_ALIAS_EVENT:
            let name = Self.optionalString(event.data.alias.anchor) ?? ""
            guard let found = anchors[name] else {
                throw source.error(.yaml, "found undefined alias '*\(name)'", at: offset)
            }
            try add(found, anchor: nil, at: offset)
        case YAML_SEQUENCE_START_EVENT:
            let tag = Self.optionalString(event.data.sequence_start.tag)
            try checkContainerTag(tag, "tag:yaml.org,2002:seq", at: offset)
            stack.append(.sequence(items: [], anchor: Self.optionalString(event.data.sequence_start.anchor), depth: 0, nodes: 1, tag: tag))
            try checkDepth(at: offset)
        case YAML_MAPPING_START_EVENT:
            let tag = Self.optionalString(event.data.mapping_start.tag)
            try checkContainerTag(tag, "tag:yaml.org,2002:map", at: offset)
            stack.append(.mapping(dict: ConfigDict(), key: nil, anchor: Self.optionalString(event.data.mapping_start.anchor), depth: 0, nodes: 1, tag: tag))
            try checkDepth(at: offset)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let built: Built
            let anchor: String?
            switch stack.removeLast() {
            case .sequence(let items, let a, let depth, let nodes, _):
                built = Built(value: .list(items), depth: depth + 1, nodes: nodes)
                anchor = a
            case .mapping(let dict, _, let a, let depth, let nodes, _):
                built = Built(value: .dict(dict), depth: depth + 1, nodes: nodes)
                anchor = a
            }
            try add(built, anchor: anchor, at: offset)
        default:
            break
        }
        return false
    }

    /// Places a finished value: as the document, a sequence item, a mapping key or its value.
    private mutating func add(_ built: Built, anchor: String?, at offset: Int) throws {
        if let anchor { anchors[anchor] = built }
        guard let top = stack.popLast() else {
            root = built
            return
        }
        switch top {
        case .sequence(var items, let a, let depth, let nodes, let tag):
            items.append(built.value)
            stack.append(.sequence(items: items, anchor: a, depth: max(depth, built.depth), nodes: try total(nodes, built, offset), tag: tag))
        case .mapping(var dict, let key, let a, let depth, let nodes, let tag):
            if let key {
                dict[key] = built.value  // a repeated key keeps its first position, last value
                stack.append(.mapping(dict: dict, key: nil, anchor: a, depth: max(depth, built.depth), nodes: try total(nodes, built, offset), tag: tag))
            } else {
                guard case .string(let k) = built.value else {
                    throw source.error(.yaml, "mapping keys must be strings; got \(built.value.typeName) \(built.value.brief) (quote it)", at: offset)
                }
                stack.append(.mapping(dict: dict, key: k, anchor: a, depth: depth, nodes: nodes, tag: tag))
            }
        }
    }

    private func total(_ nodes: Int, _ built: Built, _ offset: Int) throws -> Int {
        let sum = nodes + built.nodes
        guard sum <= Self.maxNodes else {
            throw source.error(.limit, "the YAML document expands to more than \(Self.maxNodes) values", at: offset)
        }
        return sum
    }

    private func checkDepth(at offset: Int) throws {
        if stack.count > maxDepth {
            throw source.error(.limit, "YAML nested too deeply (more than \(maxDepth) levels)", at: offset)
        }
    }

    private func checkContainerTag(_ tag: String?, _ allowed: String, at offset: Int) throws {
        if let tag, tag != allowed, tag != "!" {
            throw source.error(.yaml, "YAML tag '\(tag)' is not supported in config files", at: offset)
        }
    }

    private func scalar(_ text: String, tag: String?, plain: Bool, at offset: Int) throws -> ConfigValue {
        let value: ConfigValue?
        switch tag {
        case nil:
            guard plain else { return .string(text) }
            value = YAMLScalars.resolvePlain(text)
            if value == nil {
                throw source.error(.yaml, YAMLScalars.unsupportedReason(text), at: offset)
            }
        case "!", "tag:yaml.org,2002:str": value = .string(text)
        case "tag:yaml.org,2002:int": value = YAMLScalars.isInt(Array(text.utf8)) ? YAMLScalars.int(text) : nil
        case "tag:yaml.org,2002:float": value = YAMLScalars.float(text)
        case "tag:yaml.org,2002:bool": value = YAMLScalars.bool(text).map(ConfigValue.bool)
        case "tag:yaml.org,2002:null": value = ConfigValue.none
        default:
            throw source.error(.yaml, "YAML tag '\(tag!)' is not supported in config files", at: offset)
        }
        guard let value else {
            throw source.error(.yaml, "'\(text)' is not a valid value for the tag \(tag ?? "")", at: offset)
        }
        return value
    }

    private func syntaxError(_ parser: UnsafeMutablePointer<yaml_parser_t>) -> ConfigError {
        let p = parser.pointee
        let problem = Self.optionalString(p.problem) ?? "syntax error"
        if p.error == YAML_READER_ERROR {
            return source.error(.yaml, "YAML: \(problem)", at: Int(p.problem_offset))
        }
        var message = "YAML syntax error: \(problem)"
        if let context = Self.optionalString(p.context) {
            let at = source.position(markOffset(p.context_mark))
            message += " (\(context) started at \(at))"
        }
        return source.error(.yaml, message, at: markOffset(p.problem_mark))
    }

    /// Byte offset in the parsed text of a libyaml mark (0-based line and character column).
    private func markOffset(_ mark: yaml_mark_t) -> Int {
        source.parsedOffset(line: Int(mark.line), column: Int(mark.column))
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, _ length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private static func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func optionalString(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
