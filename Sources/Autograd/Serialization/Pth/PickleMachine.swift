import Foundation

/// A pickle virtual machine for the opcodes and globals that PyTorch and OpenMMLab
/// checkpoints use (protocols 2 to 5), and nothing else: it builds values, never executes
/// anything. Unknown opcodes and globals are errors that name them and their byte offset; the
/// stack, marks, memo, nesting and string sizes are capped, so a hostile file ends fast in
/// bounded memory.
struct PickleMachine {
    /// Resolves a persistent id (`BINPERSID`) to a storage.
    typealias PersistentLoad = (_ pid: PickleValue) throws(PthRecordError) -> PickleValue

    static let maxStack = 1_000_000, maxMarks = 1000, maxDepth = 1000, maxMemo = 10_000_000, maxString = 256 << 20

    let path: String
    /// How messages name the stream ("archive/data.pkl", "the file").
    let streamName: String
    let extraOpaque: Set<String>
    let persistentLoad: PersistentLoad

    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    init(path: String, streamName: String, extraOpaque: Set<String>, persistentLoad: @escaping PersistentLoad) {
        self.path = path
        self.streamName = streamName
        self.extraOpaque = extraOpaque
        self.persistentLoad = persistentLoad
    }

    /// Runs one pickle starting at `start` of `bytes` to its STOP; returns the value and the
    /// offset after STOP. Offsets in messages are `start`-relative plus `base`.
    mutating func run(_ bytes: UnsafeRawBufferPointer, from start: Int, base: Int = 0) throws(PthError) -> (PickleValue, Int) {
        stack.removeAll(keepingCapacity: true)
        marks.removeAll()
        memo.removeAll()
        var pc = start
        while true {
            let at = pc
            guard pc < bytes.count else { throw fail("the pickle ends without STOP (truncated file)", at: at - start + base) }
            let op = bytes[pc]
            pc += 1
            do {
                if op == 0x2E {  // STOP
                    guard stack.count == 1, marks.isEmpty else {
                        throw PthRecordError("STOP with \(stack.count) items on the stack and \(marks.count) open marks")
                    }
                    return (stack[0], pc)
                }
                try step(op, bytes, &pc)
            } catch let e as PthRecordError {
                throw fail(e.message, at: at - start + base)
            } catch {
                throw fail("\(error)", at: at - start + base)
            }
        }
    }

    private func fail(_ message: String, at offset: Int) -> PthError {
        PthError(path, "\(message) at byte \(offset) of \(streamName)")
    }

    // MARK: - Opcodes

    private mutating func step(_ op: UInt8, _ b: UnsafeRawBufferPointer, _ pc: inout Int) throws(PthRecordError) {
        switch op {
        case 0x80:  // PROTO
            let v = try u8(b, &pc)
            guard (2...5).contains(v) else { throw PthRecordError("unsupported pickle protocol \(v)") }
        case 0x95: _ = try take(b, &pc, 8)  // FRAME
        case 0x28:  // MARK
            guard marks.count < Self.maxMarks else { throw PthRecordError("more than \(Self.maxMarks) nested marks") }
            marks.append(stack.count)
        case 0x7D: try push(.dict(PickleDict()))  // EMPTY_DICT
        case 0x5D: try push(.list(PickleSequence([])))  // EMPTY_LIST
        case 0x29: try push(.tuple(PickleSequence([])))  // EMPTY_TUPLE
        case 0x8F: try push(.opaque("builtins.set"))  // EMPTY_SET
        case 0x74: try push(.tuple(try sequence(popMark())))  // TUPLE
        case 0x85, 0x86, 0x87:  // TUPLE1/2/3
            let n = Int(op) - 0x84
            guard stack.count - (marks.last ?? 0) >= n else { throw PthRecordError("TUPLE\(n) on a short stack") }
            let items = Array(stack.suffix(n))
            stack.removeLast(n)
            try push(.tuple(try sequence(items)))
        case 0x4E: try push(.none)
        case 0x88: try push(.bool(true))
        case 0x89: try push(.bool(false))
        case 0x4B: try push(.int(Int64(try u8(b, &pc))))  // BININT1
        case 0x4D: try push(.int(Int64(try uint(b, &pc, 2))))  // BININT2
        case 0x4A: try push(.int(Int64(Int32(truncatingIfNeeded: try uint(b, &pc, 4)))))  // BININT
        case 0x8A: try push(try long1(b, &pc))
        case 0x47:  // BINFLOAT: big-endian
            let raw = try take(b, &pc, 8)
            try push(.float(Double(bitPattern: raw.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })))
        case 0x58: try push(.string(try text(b, &pc, lengthBytes: 4)))  // BINUNICODE
        case 0x8C: try push(.string(try text(b, &pc, lengthBytes: 1)))  // SHORT_BINUNICODE
        case 0x55:  // SHORT_BINSTRING: Latin-1
            let n = Int(try u8(b, &pc))
            try push(.string(String(try take(b, &pc, n).map { Character(Unicode.Scalar($0)) })))
        case 0x42: try push(.bytes(try take(b, &pc, try length(b, &pc, 4))))  // BINBYTES
        case 0x43: try push(.bytes(try take(b, &pc, Int(try u8(b, &pc)))))  // SHORT_BINBYTES
        default:
            try stepObjects(op, b, &pc)
        }
    }

    /// The opcodes of the memo, containers, globals, calls and persistent ids.
    private mutating func stepObjects(_ op: UInt8, _ b: UnsafeRawBufferPointer, _ pc: inout Int) throws(PthRecordError) {
        switch op {
        case 0x71: try memoize(Int(try u8(b, &pc)))  // BINPUT
        case 0x72: try memoize(Int(try uint(b, &pc, 4)))  // LONG_BINPUT
        case 0x94: try memoize(memo.count)  // MEMOIZE
        case 0x68: try recall(Int(try u8(b, &pc)))  // BINGET
        case 0x6A: try recall(Int(try uint(b, &pc, 4)))  // LONG_BINGET
        case 0x61: try append([try pop()])  // APPEND
        case 0x65: try append(try popMark())  // APPENDS
        case 0x73:  // SETITEM
            let v = try pop(), k = try pop()
            try setItems([k, v])
        case 0x75: try setItems(try popMark())  // SETITEMS
        case 0x63:  // GLOBAL
            let module = try line(b, &pc), name = try line(b, &pc)
            try push(try resolve(module, name))
        case 0x93:  // STACK_GLOBAL
            let name = try pop(), module = try pop()
            guard let n = name.string, let m = module.string else { throw PthRecordError("STACK_GLOBAL needs two strings") }
            try push(try resolve(m, n))
        case 0x52:  // REDUCE
            let args = try pop(), f = try pop()
            try push(try call(f, args))
        case 0x81:  // NEWOBJ
            _ = try pop()
            let cls = try pop()
            guard case .opaque(let name) = cls else { throw PthRecordError("NEWOBJ of \(cls.kind) is not supported") }
            try push(.opaque(name))
        case 0x62:  // BUILD
            let state = try pop()
            switch try top() {
            case .dict, .opaque: break  // OrderedDict `_metadata`, opaque objects: ignored
            case .tensor: break  // a tensor's Python attributes (from _rebuild_from_type_v2): ignored
            case let other: throw PthRecordError("BUILD on \(other.kind) (state \(state.kind)) is not supported")
            }
        case 0x51:  // BINPERSID
            let pid = try pop()
            try push(try persistentLoad(pid))
        default:
            throw PthRecordError("unsupported pickle opcode 0x\(String(op, radix: 16, uppercase: true))")
        }
    }

    // MARK: - Stack, memo, containers

    private mutating func push(_ v: PickleValue) throws(PthRecordError) {
        guard stack.count < Self.maxStack else { throw PthRecordError("more than \(Self.maxStack) items on the pickle stack") }
        guard v.depth <= Self.maxDepth else { throw PthRecordError("containers nested more than \(Self.maxDepth) deep") }
        stack.append(v)
    }

    private mutating func pop() throws(PthRecordError) -> PickleValue {
        guard let v = stack.last, stack.count > (marks.last ?? 0) else { throw PthRecordError("pop from an empty pickle stack") }
        stack.removeLast()
        return v
    }

    private func top() throws(PthRecordError) -> PickleValue {
        guard let v = stack.last, stack.count > (marks.last ?? 0) else { throw PthRecordError("empty pickle stack") }
        return v
    }

    private mutating func popMark() throws(PthRecordError) -> [PickleValue] {
        guard let m = marks.popLast() else { throw PthRecordError("no MARK to pop to") }
        let items = Array(stack[m...])
        stack.removeSubrange(m...)
        return items
    }

    private func sequence(_ items: [PickleValue]) throws(PthRecordError) -> PickleSequence {
        let s = PickleSequence(items)
        guard s.depth <= Self.maxDepth else { throw PthRecordError("containers nested more than \(Self.maxDepth) deep") }
        return s
    }

    private mutating func memoize(_ i: Int) throws(PthRecordError) {
        guard memo.count < Self.maxMemo || memo[i] != nil else { throw PthRecordError("more than \(Self.maxMemo) memo entries") }
        memo[i] = try top()
    }

    private mutating func recall(_ i: Int) throws(PthRecordError) {
        guard let v = memo[i] else { throw PthRecordError("memo entry \(i) was never set") }
        try push(v)
    }

    private mutating func append(_ items: [PickleValue]) throws(PthRecordError) {
        switch try top() {
        case .list(let l):
            guard !l.placed else { throw PthRecordError(Self.filledAfterPlacing("list")) }
            for v in items {
                l.append(v)
                guard l.depth <= Self.maxDepth else { throw PthRecordError("containers nested more than \(Self.maxDepth) deep") }
            }
        case .opaque: break
        case let other: throw PthRecordError("APPEND to \(other.kind)")
        }
    }

    /// Python's pickler fills a container before placing it in another; filling one after (a
    /// list that holds itself or its parent) would make a cycle or an uncounted depth.
    private static func filledAfterPlacing(_ kind: String) -> String {
        "a \(kind) filled after it was placed in another container (a recursive structure, which no checkpoint has)"
    }

    private mutating func setItems(_ kv: [PickleValue]) throws(PthRecordError) {
        guard kv.count % 2 == 0 else { throw PthRecordError("SETITEMS with an odd number of items") }
        switch try top() {
        case .dict(let d):
            guard !d.placed else { throw PthRecordError(Self.filledAfterPlacing("dict")) }
            for i in stride(from: 0, to: kv.count, by: 2) {
                d.set(kv[i], kv[i + 1])
                guard d.depth <= Self.maxDepth else { throw PthRecordError("containers nested more than \(Self.maxDepth) deep") }
            }
        case .opaque: break
        case let other: throw PthRecordError("SETITEM on \(other.kind)")
        }
    }

    // MARK: - Globals and calls

    private func resolve(_ module: String, _ name: String) throws(PthRecordError) -> PickleValue {
        switch PthGlobal.resolve(module: module, name: name, extraOpaque: extraOpaque) {
        case .interpreted(let g): return .global(g)
        case .opaque(let n): return .opaque(n)
        case .refused(let message): throw PthRecordError(message)
        }
    }

    private func call(_ f: PickleValue, _ args: PickleValue) throws(PthRecordError) -> PickleValue {
        switch f {
        case .opaque(let name): return .opaque(name)
        case .global(let g):
            guard let a = args.items else { throw PthRecordError("\(g) called with \(args.kind) arguments") }
            return try PthRebuild.call(g, a)
        default: throw PthRecordError("cannot call \(f.kind)")
        }
    }

    // MARK: - Operands

    private func u8(_ b: UnsafeRawBufferPointer, _ pc: inout Int) throws(PthRecordError) -> UInt8 {
        guard pc < b.count else { throw PthRecordError("truncated pickle") }
        defer { pc += 1 }
        return b[pc]
    }

    private func uint(_ b: UnsafeRawBufferPointer, _ pc: inout Int, _ n: Int) throws(PthRecordError) -> UInt64 {
        try take(b, &pc, n).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    private func length(_ b: UnsafeRawBufferPointer, _ pc: inout Int, _ n: Int) throws(PthRecordError) -> Int {
        let v = try uint(b, &pc, n)
        guard v <= UInt64(Self.maxString) else { throw PthRecordError("a string of \(v) bytes exceeds the \(Self.maxString >> 20) MiB cap") }
        return Int(v)
    }

    private func take(_ b: UnsafeRawBufferPointer, _ pc: inout Int, _ n: Int) throws(PthRecordError) -> [UInt8] {
        guard n >= 0, n <= b.count - pc else { throw PthRecordError("truncated pickle") }
        defer { pc += n }
        return Array(UnsafeRawBufferPointer(rebasing: b[pc..<(pc + n)]))
    }

    private func text(_ b: UnsafeRawBufferPointer, _ pc: inout Int, lengthBytes: Int) throws(PthRecordError) -> String {
        let n = lengthBytes == 1 ? Int(try u8(b, &pc)) : try length(b, &pc, lengthBytes)
        return String(decoding: try take(b, &pc, n), as: UTF8.self)  // lone surrogates become U+FFFD
    }

    /// GLOBAL's `module\n` / `name\n` (ASCII, at most 256 bytes each).
    private func line(_ b: UnsafeRawBufferPointer, _ pc: inout Int) throws(PthRecordError) -> String {
        var bytes: [UInt8] = []
        while true {
            let c = try u8(b, &pc)
            if c == 0x0A { break }
            guard c < 0x80, bytes.count < 256 else { throw PthRecordError("malformed GLOBAL name") }
            bytes.append(c)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// LONG1: n little-endian two's-complement bytes; up to 8 is an Int64, up to 16 kept opaque.
    private func long1(_ b: UnsafeRawBufferPointer, _ pc: inout Int) throws(PthRecordError) -> PickleValue {
        let n = Int(try u8(b, &pc))
        let raw = try take(b, &pc, n)
        if n == 0 { return .int(0) }
        guard n <= 8 else {
            guard n <= 16 else { throw PthRecordError("an integer of \(n) bytes is too large") }
            return .bigInt
        }
        var v = raw.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if n < 8, raw[n - 1] & 0x80 != 0 { v |= ~UInt64(0) << (8 * UInt64(n)) }  // sign-extend
        return .int(Int64(bitPattern: v))
    }
}
