/// The text of one config file as UTF-8 bytes, after the `{{ fileDirname }}` / `{{$NAME:x}}`
/// substitutions, with the way back to positions in the file as written. Lexers work on byte
/// offsets; only an error turns an offset into line:column.
final class SourceText {
    /// The file name shown in messages.
    let file: String
    /// The text that is parsed (after substitutions).
    let bytes: [UInt8]
    /// The text as written in the file (positions in messages refer to it).
    private let original: [UInt8]
    private let edits: [Edit]
    private lazy var lineStarts: [Int] = Self.lineStarts(of: original)
    private lazy var parsedLineStarts: [Int] = Self.lineStarts(of: bytes)

    /// One substitution: `originalLength` bytes at `originalStart` became `length` bytes at
    /// `start` in the parsed text.
    struct Edit {
        let start: Int
        let length: Int
        let originalStart: Int
        let originalLength: Int
    }

    init(file: String, original: [UInt8], substituted: [UInt8]? = nil, edits: [Edit] = []) {
        self.file = file
        self.original = original
        self.bytes = substituted ?? original
        self.edits = edits
    }

    /// Maps an offset of the parsed text to an offset of the original text; an offset inside
    /// substituted text maps to the start of what it replaced.
    func originalOffset(_ offset: Int) -> Int {
        var shift = 0
        for edit in edits {
            if offset < edit.start { break }
            if offset < edit.start + edit.length { return edit.originalStart }
            shift = (edit.originalStart + edit.originalLength) - (edit.start + edit.length)
        }
        return offset + shift
    }

    /// The location of a byte offset of the parsed text.
    func location(_ offset: Int) -> ConfigLocation {
        locationInOriginal(originalOffset(offset))
    }

    /// The location of a byte offset of the original text.
    func locationInOriginal(_ offset: Int) -> ConfigLocation {
        let clamped = max(0, min(offset, original.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= clamped { lo = mid } else { hi = mid - 1 }
        }
        var column = 1
        var i = lineStarts[lo]
        while i < clamped {
            // count characters (Unicode scalars): skip UTF-8 continuation bytes
            if original[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return ConfigLocation(file: file, line: lo + 1, column: column)
    }

    /// An error at a byte offset of the parsed text.
    func error(_ kind: ConfigError.Kind, _ message: String, at offset: Int) -> ConfigError {
        ConfigError(kind, message, at: location(offset))
    }

    /// "line:column" of an offset, for messages that mention a second place.
    func position(_ offset: Int) -> String {
        let loc = location(offset)
        return "\(loc.line):\(loc.column)"
    }

    /// The parsed text between two offsets, decoded leniently (for messages).
    func text(_ start: Int, _ end: Int) -> String {
        let lo = max(0, min(start, bytes.count)), hi = max(lo, min(end, bytes.count))
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    /// Byte offset in the parsed text of a 0-based line and character column (as libyaml
    /// reports positions).
    func parsedOffset(line: Int, column: Int) -> Int {
        let starts = parsedLineStarts
        guard line < starts.count else { return bytes.count }
        var i = starts[line]
        var remaining = column
        while remaining > 0, i < bytes.count, bytes[i] != UInt8(ascii: "\n") {
            i += 1
            while i < bytes.count, bytes[i] & 0xC0 == 0x80 { i += 1 }
            remaining -= 1
        }
        return i
    }

    private static func lineStarts(of bytes: [UInt8]) -> [Int] {
        var starts = [0]
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                starts.append(i + 1)
            } else if bytes[i] == UInt8(ascii: "\r") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        return starts
    }
}
