import Foundation

/// A PyTorch checkpoint written by `torch.save`: the zip format (torch >= 1.6) or the legacy
/// format (torch < 1.6, and what mmdetection's `publish_model.py` writes), read without
/// Python. Its pickle runs on `PickleMachine`, which interprets only the globals of
/// checkpoints and executes nothing. The file is memory-mapped; a tensor's bytes are copied
/// only when it is asked for. The tensors are those of the state dict as mmengine finds it:
/// the top dict's `state_dict` entry, else the top dict itself; other values are skipped.
public struct PthFile: TensorArchive {
    public enum Format: String, Sendable { case zip, legacy }

    public struct Options: Sendable {
        /// Globals (`module.Name`) to accept as opaque values besides the built-in list (for
        /// files whose `meta` holds other classes); by default those the environment variable
        /// `SWIFTDET_ALLOW_GLOBALS` lists (comma-separated). Blocked modules stay refused.
        public var extraOpaqueGlobals: Set<String> = Options.environmentGlobals
        /// Check the CRC-32 of every storage entry of a zip file too.
        public var verifyStorageCRC = false
        /// Check the CRC-32 of the pickle (`data.pkl`); off only to reach the pickle reader
        /// with damaged bytes (the fuzz test).
        public var verifyPickleCRC = true
        /// The top dict's entry that holds the tensors (`model`, `ema_state_dict`, ...); nil for
        /// mmengine's rule (`state_dict`, else the top dict).
        public var stateDictKey: String?
        public init() {}

        public static var environmentGlobals: Set<String> {
            let list = ProcessInfo.processInfo.environment["SWIFTDET_ALLOW_GLOBALS"] ?? ""
            return Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
    }

    public let path: String
    public let format: Format
    /// The zip entries' folder (`archive`, or the stem of the name it was saved under).
    public let zipPrefix: String?
    /// The top dict's string keys in order (nil when the top object is not a dict).
    public let topKeys: [String]?
    /// Whether the tensors are the top dict's `state_dict` entry (else the top dict).
    public let fromStateDictEntry: Bool
    /// The state dict's tensor keys, in file order.
    public let names: [String]
    /// State-dict keys whose values are not tensors (skipped).
    public let skipped: [String]

    private let records: [String: PthTensorRecord]
    private let storages: [String: StorageBytes]
    private let data: Data
    private let bigEndian: Bool

    /// Where a storage's bytes are: a range of the mapped file, or an inflated copy.
    enum StorageBytes {
        case mapped(Range<Int>)
        case inflated([UInt8])
    }

    static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]

    public init(path: String, options: Options = Options()) throws {
        if let problem = FileCheck.problem(path), problem != "is empty" { throw PthError(path, problem) }
        let d: Data
        do { d = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw PthError(path, "cannot be read")
        }
        try self.init(data: d, path: path, options: options)
    }

    /// A checkpoint held in memory; `path` names it in messages.
    public init(data d: Data, path: String, options: Options = Options()) throws {
        let parsed = try d.withUnsafeBytes { (b: UnsafeRawBufferPointer) throws -> PthParse in
            if b.count >= 4, b[0] == 0x50, b[1] == 0x4B, b[2] == 0x03, b[3] == 0x04 {
                return try PthParse.zip(b, path: path, options: options)
            }
            if b.count >= Self.legacyMagic.count, Array(b.prefix(Self.legacyMagic.count)) == Self.legacyMagic {
                return try PthParse.legacy(b, path: path, options: options)
            }
            if b.count >= 262, Array(b[257..<262]) == Array("ustar".utf8) {
                throw PthError(path, "a tar archive (torch 0.1 checkpoints) is not supported")
            }
            throw PthError(path, b.isEmpty ? "empty file: not a PyTorch checkpoint"
                                            : "not a PyTorch checkpoint (neither a zip archive nor the legacy pickle format)")
        }
        self.path = path
        data = d
        format = parsed.format
        zipPrefix = parsed.zipPrefix
        bigEndian = parsed.bigEndian
        storages = parsed.storages
        (topKeys, fromStateDictEntry, names, skipped, records) = try Self.stateDict(of: parsed.top, key: options.stateDictKey, path: path)
    }

    /// mmengine's rule: the `state_dict` entry of a top dict that has one, else the top dict.
    private static func stateDict(of top: PickleValue, key: String?, path: String) throws
        -> ([String]?, Bool, [String], [String], [String: PthTensorRecord])
    {
        guard case .dict(let topDict) = top else { throw PthError(path, "no state dict: the checkpoint holds a \(top.kind)") }
        let topKeys = topDict.keys.compactMap(\.string)
        var dict = topDict, fromEntry = false
        if let key, topDict[key] == nil {
            throw PthError(path, "no entry '\(key)' in the checkpoint (it has \(topKeys.joined(separator: ", ")))")
        }
        let entry = key ?? "state_dict"
        if let sd = topDict[entry] {
            guard case .dict(let inner) = sd else { throw PthError(path, "'\(entry)' is a \(sd.kind), not a dict") }
            dict = inner
            fromEntry = true
        }
        var names: [String] = [], skipped: [String] = [], records: [String: PthTensorRecord] = [:]
        for (k, v) in zip(dict.keys, dict.values) {
            guard let key = k.string else { throw PthError(path, "a state-dict key is a \(k.kind), not a str") }
            if case .tensor(let t) = v {
                if records[key] == nil { names.append(key) }
                records[key] = t
            } else {
                skipped.append(key)
            }
        }
        // Each tensor larger than its storage is bounded when read; so are all of them together,
        // since a loader may hold them at once.
        var expanded: Int64 = 0
        for r in records.values {
            let n = Int64(r.shape.reduce(1, *))  // below 2^28 where it exceeds the storage (checked as read)
            if n > Int64(r.storage.numel) { expanded += n }
        }
        guard expanded <= PthTensorRecord.maxExpandedElements else {
            throw PthError(path, "its tensors larger than their storages (zero strides) repeat them into \(expanded) elements in all: "
                           + "at most \(PthTensorRecord.maxExpandedElements)")
        }
        guard !names.isEmpty else {
            throw PthError(path, "no tensors in the \(fromEntry ? "'state_dict' entry" : "checkpoint's top dict") (keys: "
                           + (fromEntry ? skipped : topKeys).prefix(8).joined(separator: ", ") + ")")
        }
        return (topKeys, fromEntry, names, skipped, records)
    }

    // MARK: - Tensors

    public func shape(_ name: String) -> [Int]? { records[name]?.shape }
    public func dtype(_ name: String) -> PthDType? { records[name]?.storage.dtype }
    public func isParameter(_ name: String) -> Bool { records[name]?.isParameter ?? false }

    private func record(_ name: String) throws -> PthTensorRecord {
        guard let r = records[name] else { throw PthError(path, "no tensor named '\(name)' in the state dict") }
        return r
    }

    /// The tensor's elements, row-major, as little-endian bytes of its dtype.
    public func rawBytes(_ name: String) throws -> [UInt8] {
        let r = try record(name)
        guard let s = storages[r.storage.key] else { throw PthError(path, "storage \(r.storage.key) has no data") }
        return data.withUnsafeBytes { file in
            switch s {
            case .mapped(let range):
                return r.contiguousBytes(storageBytes: UnsafeRawBufferPointer(rebasing: file[range]), bigEndian: bigEndian)
            case .inflated(let bytes):
                return bytes.withUnsafeBytes { r.contiguousBytes(storageBytes: $0, bigEndian: bigEndian) }
            }
        }
    }

    /// The tensor as float32 (every dtype converted: f64/f16/bf16 rounded, integers and bools as values).
    public func tensor(_ name: String) throws -> Tensor {
        let r = try record(name)
        let bytes = try rawBytes(name)
        let n = r.count
        let t = Tensor(uninitialized: r.shape)
        bytes.withUnsafeBytes { src in
            for i in 0..<n { t.ptr[i] = Self.element(src, i, r.storage.dtype) }
        }
        return t
    }

    /// Integer tensors (and bools) as values, for integer buffers such as num_batches_tracked.
    public func indicesAsTensor(_ name: String) throws -> Tensor { try tensor(name) }

    static func element(_ src: UnsafeRawBufferPointer, _ i: Int, _ dtype: PthDType) -> Float {
        switch dtype {
        case .float32: Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        case .float64: Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
        case .float16: Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
        case .bfloat16: Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
        case .int64: Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
        case .int32: Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
        case .int16: Float(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
        case .int8: Float(src.load(fromByteOffset: i, as: Int8.self))
        case .uint8, .bool: Float(src.load(fromByteOffset: i, as: UInt8.self))
        }
    }
}
