import Foundation

/// The bytes of a JSON file, memory-mapped read-only, with the byte-level scanning that splits
/// its top level into spans (object members, array elements). Spans are then parsed in batches
/// by simdjson (`SimdJSONParser`) or json-c (`JSONElementParser`), so a 450 MB file is never
/// one DOM, and spans can be parsed on several threads.
public final class JSONText: @unchecked Sendable {
    /// The file, for messages.
    public let path: String
    let base: UnsafePointer<UInt8>
    public let count: Int
    private let mapping: UnsafeMutableRawPointer?
    private let owned: UnsafeMutableRawPointer?

    /// Maps `path`; throws `.io` naming the file when it cannot be opened or read.
    public init(contentsOf path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw StructuresError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw StructuresError(.io, "cannot read: \(String(cString: strerror(errno)))", file: path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw StructuresError(.io, "not a regular file", file: path)
        }
        let size = Int(info.st_size)
        count = size
        if size == 0 {
            owned = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
            mapping = nil
            base = UnsafePointer(owned!.assumingMemoryBound(to: UInt8.self))
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw StructuresError(.io, "cannot map: \(String(cString: strerror(errno)))", file: path)
        }
        madvise(mapped, size, MADV_SEQUENTIAL)
        mapping = mapped
        owned = nil
        base = UnsafePointer(mapped.assumingMemoryBound(to: UInt8.self))
    }

    /// JSON text held in memory (tests, in-memory results); `path` names it in messages.
    public init(bytes: [UInt8], path: String) {
        self.path = path
        count = bytes.count
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
        bytes.withUnsafeBytes { if $0.count > 0 { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        owned = buffer
        mapping = nil
        base = UnsafePointer(buffer.assumingMemoryBound(to: UInt8.self))
    }

    deinit {
        if let mapping { munmap(mapping, count) }
        owned?.deallocate()
    }

    /// `line:column` (1-based, columns in bytes) of a byte offset, for messages.
    public func position(_ offset: Int) -> String {
        var line = 1, lineStart = 0
        var i = 0
        let end = min(offset, count)
        while i < end {
            if base[i] == 10 { line += 1; lineStart = i + 1 }
            i += 1
        }
        return "\(line):\(end - lineStart + 1)"
    }

    func error(_ kind: StructuresError.Kind, _ message: String, at offset: Int) -> StructuresError {
        StructuresError(kind, "\(position(offset)): \(message)", file: path)
    }

    /// The byte at an offset (`0 <= offset < count`).
    public func byte(at offset: Int) -> UInt8 { base[offset] }

    // MARK: - Scanning

    @inline(__always)
    func skipSpace(_ start: Int) -> Int {
        var i = start
        while i < count {
            let c = base[i]
            guard c == 32 || c == 10 || c == 13 || c == 9 else { break }
            i += 1
        }
        return i
    }

    /// The end (exclusive) of the string starting with the quote at `start` (memchr to the
    /// next quote, then the backslashes before it decide whether it is escaped).
    func stringEnd(_ start: Int) throws -> Int {
        var i = start + 1
        while i < count {
            guard let found = memchr(base + i, 34, count - i) else { break }
            let quote = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
            var backslashes = 0
            while quote - backslashes - 1 > start, base[quote - backslashes - 1] == 92 { backslashes += 1 }
            if backslashes % 2 == 0 { return quote + 1 }
            i = quote + 1
        }
        throw error(.syntax, "unterminated string", at: start)
    }

    /// The end (exclusive) of the value starting at `start`: brackets are counted (their kinds
    /// are checked later by json-c), strings skipped, scalars run to a delimiter.
    func valueEnd(_ start: Int) throws -> Int {
        guard start < count else { throw error(.syntax, "unexpected end of file (a value was expected)", at: start) }
        let first = base[start]
        if first == 34 { return try stringEnd(start) }
        let table = JSONText.byteClass
        if first != 123 && first != 91 {
            var i = start
            while i < count {
                let kind = table[Int(base[i])]
                if kind == JSONText.delimiter || kind == JSONText.closing { break }
                i += 1
            }
            return i
        }
        var depth = 0
        var i = start
        while true {
            // Eight bytes at a time past numbers, commas and blanks.
            while i + 8 <= count, !JSONText.mayBeStructural(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                i += 8
            }
            guard i < count else { break }
            let kind = table[Int(base[i])]
            if kind == JSONText.quote {
                i = try stringEnd(i)
                continue
            }
            if kind == JSONText.opening {
                depth += 1
            } else if kind == JSONText.closing {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        throw error(.syntax, "unexpected end of file (an object or array is not closed)", at: start)
    }

    /// Whether any of 8 bytes may be `"`, `[`, `]`, `{` or `}` (SWAR: setting bit 5 maps
    /// `[` `]` onto `{` `}`; a false positive only costs a byte-by-byte look).
    @inline(__always)
    static func mayBeStructural(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let folded = word | 0x2020_2020_2020_2020
        func hasByte(_ w: UInt64, _ byte: UInt64) -> Bool {
            let x = w ^ (ones &* byte)
            return (x &- ones) & ~x & highs != 0
        }
        return hasByte(folded, 0x7B) || hasByte(folded, 0x7D) || hasByte(folded, 0x22)
    }

    static let plain: UInt8 = 0, delimiter: UInt8 = 1, quote: UInt8 = 2, opening: UInt8 = 3, closing: UInt8 = 4

    /// What the scanner cares about in a byte: brackets, quotes, and the ends of scalars.
    static let byteClass: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: plain, count: 256)
        for c in [44, 32, 10, 13, 9] { table[c] = delimiter }
        table[34] = quote
        table[123] = opening; table[91] = opening
        table[125] = closing; table[93] = closing
        return UnsafePointer(table)
    }()

    /// The spans of the elements of the array starting with `[` at `start`, and its end.
    public func arrayElements(_ start: Int) throws -> (elements: [Range<Int>], end: Int) {
        guard start < count, base[start] == 91 else { throw error(.format, "expected an array '['", at: start) }
        var elements: [Range<Int>] = []
        var i = skipSpace(start + 1)
        if i < count, base[i] == 93 { return (elements, i + 1) }
        while true {
            guard i < count else { throw error(.syntax, "unexpected end of file (an array is not closed)", at: start) }
            let end = try valueEnd(i)
            elements.append(i..<end)
            i = skipSpace(end)
            guard i < count else { throw error(.syntax, "unexpected end of file (an array is not closed)", at: start) }
            if base[i] == 93 { return (elements, i + 1) }
            guard base[i] == 44 else { throw error(.syntax, "expected ',' or ']' after an array element", at: i) }
            i = skipSpace(i + 1)
            if i < count, base[i] == 93 { throw error(.syntax, "trailing comma after the last array element", at: i) }
        }
    }

    /// The members (raw key bytes, value span) of the object starting with `{` at `start`.
    public func objectMembers(_ start: Int) throws -> (members: [(key: String, value: Range<Int>)], end: Int) {
        let (members, end) = try objectMembers(start, splitting: [])
        return (members.map { ($0.key, $0.value) }, end)
    }

    /// `objectMembers`, with the elements of the arrays under the keys `splitting` found in
    /// the same pass (one scan of the bytes in all).
    public func objectMembers(_ start: Int, splitting: Set<String>) throws
        -> (members: [(key: String, value: Range<Int>, elements: [Range<Int>]?)], end: Int)
    {
        guard start < count, base[start] == 123 else { throw error(.format, "expected an object '{'", at: start) }
        var members: [(key: String, value: Range<Int>, elements: [Range<Int>]?)] = []
        var i = skipSpace(start + 1)
        if i < count, base[i] == 125 { return (members, i + 1) }
        while true {
            guard i < count else { throw error(.syntax, "unexpected end of file (an object is not closed)", at: start) }
            guard base[i] == 34 else { throw error(.syntax, "expected a key in double quotes", at: i) }
            let keyEnd = try stringEnd(i)
            let key = String(decoding: UnsafeBufferPointer(start: base + i + 1, count: keyEnd - i - 2), as: UTF8.self)
            i = skipSpace(keyEnd)
            guard i < count, base[i] == 58 else { throw error(.syntax, "expected ':' after a key", at: i) }
            i = skipSpace(i + 1)
            if i < count, base[i] == 91, splitting.contains(key) {
                let (elements, end) = try arrayElements(i)
                members.append((key, i..<end, elements))
                i = skipSpace(end)
            } else {
                let end = try valueEnd(i)
                members.append((key, i..<end, nil))
                i = skipSpace(end)
            }
            guard i < count else { throw error(.syntax, "unexpected end of file (an object is not closed)", at: start) }
            if base[i] == 125 { return (members, i + 1) }
            guard base[i] == 44 else { throw error(.syntax, "expected ',' or '}' after an object member", at: i) }
            i = skipSpace(i + 1)
        }
    }

    /// The members of a top-level object, as `objectMembers(_:splitting:)` finds them; anything
    /// but white space after the object is an error. Nil when the top-level value is no object.
    public func topLevelMembers(splitting: Set<String>) throws -> [(key: String, value: Range<Int>, elements: [Range<Int>]?)]? {
        let start = skipSpace(0)
        guard start < count else { throw StructuresError(.syntax, "the file is empty (not JSON)", file: path) }
        guard base[start] == 123 else { return nil }
        let (members, end) = try objectMembers(start, splitting: splitting)
        let rest = skipSpace(end)
        guard rest == count else { throw error(.syntax, "extra data after the top-level JSON value", at: rest) }
        return members
    }

    /// The top-level value's span; anything but white space after it is an error.
    public func topLevelSpan() throws -> Range<Int> {
        let start = skipSpace(0)
        guard start < count else { throw StructuresError(.syntax, "the file is empty (not JSON)", file: path) }
        let end = try valueEnd(start)
        let rest = skipSpace(end)
        guard rest == count else { throw error(.syntax, "extra data after the top-level JSON value", at: rest) }
        return start..<end
    }
}
