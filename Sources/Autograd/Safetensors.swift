import Foundation

/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON
/// header of name -> {dtype, shape, data_offsets}, then raw little-endian data), as used by
/// the reference fixtures and SwiftDet checkpoints.
public struct SafetensorsFile {
    public enum DType: String, Sendable {
        case f32 = "F32", f64 = "F64", i64 = "I64", i32 = "I32", u8 = "U8", bool = "BOOL", f16 = "F16"
        var size: Int {
            switch self {
            case .f64, .i64: 8
            case .f32, .i32: 4
            case .f16: 2
            case .u8, .bool: 1
            }
        }
    }

    public struct Entry: Sendable {
        public let dtype: DType
        public let shape: [Int]
        let range: Range<Int>
    }

    public enum Error: Swift.Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case malformed(path: String, reason: String)
        case missing(path: String, name: String)
        case wrongType(path: String, name: String, expected: String, got: String)
        public var description: String {
            switch self {
            case .unreadable(let p, let r): "\(p): cannot read safetensors file: \(r)"
            case .malformed(let p, let r): "\(p): malformed safetensors file: \(r)"
            case .missing(let p, let n): "\(p): no tensor named '\(n)'"
            case .wrongType(let p, let n, let e, let g): "\(p): tensor '\(n)' has dtype \(g), expected \(e)"
            }
        }
    }

    public let path: String
    public let entries: [String: Entry]
    /// The header's `__metadata__` string map.
    public let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    public init(path: String) throws {
        self.path = path
        let d: Data
        do { d = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw Error.unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        guard d.count >= 8 else { throw Error.malformed(path: path, reason: "shorter than 8 bytes") }
        let n = d.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard n <= UInt64(d.count - 8) else {
            throw Error.malformed(path: path, reason: "header length \(n) exceeds file size \(d.count)")
        }
        let headerData = d.subdata(in: 8..<(8 + Int(n)))
        guard let obj = try? JSONSerialization.jsonObject(with: headerData), let header = obj as? [String: Any] else {
            throw Error.malformed(path: path, reason: "header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var meta: [String: String] = [:]
        let payload = d.count - 8 - Int(n)
        for (name, value) in header {
            if name == "__metadata__" {
                meta = (value as? [String: String]) ?? [:]
                continue
            }
            guard let e = value as? [String: Any], let ds = e["dtype"] as? String,
                let shape = e["shape"] as? [Int], let offs = e["data_offsets"] as? [Int], offs.count == 2
            else { throw Error.malformed(path: path, reason: "entry '\(name)' lacks dtype/shape/data_offsets") }
            guard let dtype = DType(rawValue: ds) else {
                throw Error.malformed(path: path, reason: "entry '\(name)' has unsupported dtype \(ds)")
            }
            let bytes = shape.reduce(1, *) * dtype.size
            guard offs[0] >= 0, offs[1] - offs[0] == bytes, offs[1] <= payload else {
                throw Error.malformed(path: path, reason: "entry '\(name)' has data_offsets \(offs) inconsistent with shape \(shape) \(ds)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: offs[0]..<offs[1])
        }
        self.entries = entries
        self.metadata = meta
        self.data = d
        self.dataStart = 8 + Int(n)
    }

    public var names: [String] { entries.keys.sorted() }

    private func entry(_ name: String) throws -> Entry {
        guard let e = entries[name] else { throw Error.missing(path: path, name: name) }
        return e
    }

    /// A float tensor (F32, or F64 converted).
    public func tensor(_ name: String) throws -> Tensor {
        let e = try entry(name)
        let n = e.shape.reduce(1, *)
        let t = Tensor(uninitialized: e.shape)
        let lo = dataStart + e.range.lowerBound
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let src = raw.baseAddress! + lo
            switch e.dtype {
            case .f32: for i in 0..<n { t.ptr[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            case .f64: for i in 0..<n { t.ptr[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
            default: throw Error.wrongType(path: path, name: name, expected: "F32", got: e.dtype.rawValue)
            }
        }
        return t
    }

    /// An integer tensor (I64, I32, U8 or BOOL).
    public func indices(_ name: String) throws -> IndexTensor {
        let e = try entry(name)
        let n = e.shape.reduce(1, *)
        let lo = dataStart + e.range.lowerBound
        let values: [Int] = try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let src = raw.baseAddress! + lo
            switch e.dtype {
            case .i64: return (0..<n).map { Int(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
            case .i32: return (0..<n).map { Int(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
            case .u8, .bool: return (0..<n).map { Int(src.load(fromByteOffset: $0, as: UInt8.self)) }
            default: throw Error.wrongType(path: path, name: name, expected: "I64/I32/U8/BOOL", got: e.dtype.rawValue)
            }
        }
        return IndexTensor(shape: e.shape, values)
    }

    /// Serialises float tensors (F32) with optional metadata, sorted by name.
    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, t) in tensors {
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]]
            offset += 4 * t.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, t) in tensors {
            t.withUnsafeBufferPointer { buf in
                for v in buf { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
            }
        }
        return out
    }
}
