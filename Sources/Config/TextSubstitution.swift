/// The text substitutions mmengine makes before a config file is read (`Config._file2dict`):
/// `{{ fileDirname }}`, `{{ fileBasename }}`, `{{ fileBasenameNoExtension }}`,
/// `{{ fileExtname }}`, and environment variables `{{$NAME:default}}` (optionally quoted inside
/// the braces, `{{'$NAME:7'}}`, which yields source text). They apply to the whole text,
/// comments included. For YAML and JSON files, `{{_base_.a.b}}` placeholders are also replaced
/// here, by a quoted token that `Placeholders` resolves after loading.
struct TextSubstitution {
    /// Absolute, normalised path of the file (gives the four file variables).
    let absolutePath: String
    let environment: [String: String]
    /// Replace `{{_base_.x}}` by quoted tokens (YAML and JSON only; Python handles them in its
    /// lexer, where it can tell a whole value from a misplaced one).
    let quotePlaceholders: Bool

    private static let fileVariables = [
        "fileDirname", "fileBasename", "fileBasenameNoExtension", "fileExtname",
    ]

    /// Runs every substitution over `bytes` (the file as read) and returns the text to parse.
    func apply(to bytes: [UInt8], file: String, placeholders: inout PlaceholderTable) throws -> SourceText {
        if !Self.containsDoubleBrace(bytes) { return SourceText(file: file, original: bytes) }
        let fileValues = fileVariableValues()
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var edits: [SourceText.Edit] = []
        var i = 0
        let open = UInt8(ascii: "{")
        while i < bytes.count {
            guard bytes[i] == open, i + 1 < bytes.count, bytes[i + 1] == open else {
                out.append(bytes[i])
                i += 1
                continue
            }
            var replacement: [UInt8]? = nil
            var end = i
            if let (name, e) = matchFileVariable(bytes, i) {
                replacement = Array(fileValues[name]!.utf8)
                end = e
            } else if let (name, defaultValue, e) = matchEnvironment(bytes, i) {
                replacement = try environmentValue(name, defaultValue, file: file, bytes: bytes, at: i)
                end = e
            } else if quotePlaceholders, let (path, e) = Self.matchBasePlaceholder(bytes, i) {
                let token = placeholders.add(path: path, offset: out.count)
                replacement = Array(PlaceholderTable.quotedForData(token).utf8)
                end = e
            }
            if let replacement {
                edits.append(.init(start: out.count, length: replacement.count, originalStart: i, originalLength: end - i))
                out.append(contentsOf: replacement)
                i = end
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        if edits.isEmpty { return SourceText(file: file, original: bytes) }
        return SourceText(file: file, original: bytes, substituted: out, edits: edits)
    }

    private func fileVariableValues() -> [String: String] {
        let dir = PathUtil.dirname(absolutePath)
        let base = PathUtil.basename(absolutePath)
        let ext = PathUtil.extensionWithDot(base)
        return [
            "fileDirname": dir, "fileBasename": base,
            "fileBasenameNoExtension": String(base.dropLast(ext.count)), "fileExtname": ext,
        ]
    }

    private func environmentValue(
        _ name: String, _ defaultValue: String, file: String, bytes: [UInt8], at offset: Int
    ) throws -> [UInt8] {
        let value = environment[name] ?? defaultValue
        guard !value.isEmpty else {
            let where_ = SourceText(file: file, original: bytes).locationInOriginal(offset)
            let what = environment[name] == nil
                ? "is not set and the placeholder gives no default"
                : "is set to the empty string and the placeholder gives no default"
            throw ConfigError(.environment, "environment variable \(name) \(what)", at: where_)
        }
        return Array(value.utf8)
    }

    /// `{{ \s* name \s* }}` for one of the four file variables; returns the name and the end.
    private func matchFileVariable(_ b: [UInt8], _ start: Int) -> (String, Int)? {
        var i = Self.skipSpaces(b, start + 2)
        let nameStart = i
        while i < b.count, Self.isWordByte(b[i]) { i += 1 }
        let name = String(decoding: b[nameStart..<i], as: UTF8.self)
        guard Self.fileVariables.contains(name) else { return nil }
        i = Self.skipSpaces(b, i)
        guard Self.hasClosingBraces(b, i) else { return nil }
        return (name, i + 2)
    }

    /// `{{ ['"]? \s* $NAME \s* : \s* default \s* ['"]? }}` (mmengine's regular expression, with
    /// a default of non-space characters, as short as possible).
    private func matchEnvironment(_ b: [UInt8], _ start: Int) -> (String, String, Int)? {
        var i = start + 2
        if i < b.count, b[i] == UInt8(ascii: "'") || b[i] == UInt8(ascii: "\"") { i += 1 }
        i = Self.skipSpaces(b, i)
        guard i < b.count, b[i] == UInt8(ascii: "$") else { return nil }
        i += 1
        let nameStart = i
        while i < b.count, Self.isWordByte(b[i]) { i += 1 }
        guard i > nameStart else { return nil }
        let name = String(decoding: b[nameStart..<i], as: UTF8.self)
        i = Self.skipSpaces(b, i)
        guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
        i = Self.skipSpaces(b, i + 1)
        let defaultStart = i
        while true {
            if let end = Self.matchEnvTail(b, i) {
                return (name, String(decoding: b[defaultStart..<i], as: UTF8.self), end)
            }
            guard i < b.count, !Self.isSpace(b[i]) else { return nil }
            i += 1
        }
    }

    /// `\s* ['"]? }}` at `i`; returns the end.
    private static func matchEnvTail(_ b: [UInt8], _ start: Int) -> Int? {
        let i = skipSpaces(b, start)
        if i < b.count, b[i] == UInt8(ascii: "'") || b[i] == UInt8(ascii: "\"") {
            if hasClosingBraces(b, i + 1) { return i + 3 }
        }
        return hasClosingBraces(b, i) ? i + 2 : nil
    }

    /// `{{ \s* _base_.dotted.path \s* }}`; returns the path segments and the end.
    static func matchBasePlaceholder(_ b: [UInt8], _ start: Int) -> ([String], Int)? {
        var i = skipSpaces(b, start + 2)
        let prefix = Array("_base_.".utf8)
        guard i + prefix.count <= b.count, Array(b[i..<(i + prefix.count)]) == prefix else { return nil }
        i += prefix.count
        let pathStart = i
        while i < b.count, isWordByte(b[i]) || b[i] == UInt8(ascii: ".") { i += 1 }
        guard i > pathStart else { return nil }
        let path = String(decoding: b[pathStart..<i], as: UTF8.self)
        i = skipSpaces(b, i)
        guard hasClosingBraces(b, i) else { return nil }
        return (path.split(separator: ".", omittingEmptySubsequences: false).map(String.init), i + 2)
    }

    private static func containsDoubleBrace(_ b: [UInt8]) -> Bool {
        var i = 0
        while i + 1 < b.count {
            if b[i] == UInt8(ascii: "{") && b[i + 1] == UInt8(ascii: "{") { return true }
            i += 1
        }
        return false
    }

    static func hasClosingBraces(_ b: [UInt8], _ i: Int) -> Bool {
        i + 1 < b.count && b[i] == UInt8(ascii: "}") && b[i + 1] == UInt8(ascii: "}")
    }

    static func skipSpaces(_ b: [UInt8], _ start: Int) -> Int {
        var i = start
        while i < b.count, isSpace(b[i]) { i += 1 }
        return i
    }

    static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0D)
    }

    /// A byte of a `\w` run: ASCII letters, digits, `_`, and any non-ASCII byte (letters of
    /// other scripts; close enough to Python's Unicode `\w` for names).
    static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            || c == 0x5F || c >= 0x80
    }
}
