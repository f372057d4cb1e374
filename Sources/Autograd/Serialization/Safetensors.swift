import Foundation
import Kernels

/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON
/// header of name -> {dtype, shape, data_offsets}, then raw little-endian data), as used by
/// the reference fixtures and SwiftDet checkpoints.
public struct SafetensorsFile {
    public enum DType: String, Sendable, CaseIterable {
        case f32 = "F32", f64 = "F64", i64 = "I64", i32 = "I32", u8 = "U8", bool = "BOOL", f16 = "F16"
        case bf16 = "BF16", i16 = "I16", i8 = "I8"
        var size: Int { element.itemSize }

        /// The same element type as PyTorch names it.
        public var element: PthDType {
            switch self {
            case .f32: .float32
            case .f64: .float64
            case .f16: .float16
            case .bf16: .bfloat16
            case .i64: .int64
            case .i32: .int32
            case .i16: .int16
            case .i8: .int8
            case .u8: .uint8
            case .bool: .bool
            }
        }

        public init(_ element: PthDType) {
            self = Self.allCases.first { $0.element == element }!
        }
    }

    /// The raw little-endian bytes of an entry.
    public func rawBytes(_ name: String) throws -> [UInt8] {
        let e = try entry(name)
        return data.withUnsafeBytes { Array(UnsafeRawBufferPointer(rebasing: $0[(dataStart + e.range.lowerBound)..<(dataStart + e.range.upperBound)])) }
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
        if let problem = FileCheck.problem(path) { throw Error.unreadable(path: path, reason: problem) }
        let d: Data
        do { d = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw Error.unreadable(path: path, reason: "cannot be read")
        }
        if d.starts(with: [0x50, 0x4B, 0x03, 0x04]) || d.starts(with: PthFile.legacyMagic) {
            throw Error.malformed(path: path, reason: "this is a PyTorch checkpoint, not a safetensors file (name it .pth, or convert it with convert-checkpoint)")
        }
        guard d.count >= 8 else { throw Error.malformed(path: path, reason: "shorter than 8 bytes") }
        let n = d.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard n <= UInt64(d.count - 8) else {
            throw Error.malformed(path: path, reason: "not a safetensors file: its first 8 bytes (a header length of \(n)) exceed the file size \(d.count)")
        }
        let headerData = d.subdata(in: 8..<(8 + Int(n)))
        guard let obj = try? JSONSerialization.jsonObject(with: headerData), let header = obj as? [String: Any] else {
            throw Error.malformed(path: path, reason: "header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var meta: [String: String] = [:]
        let payload = d.count - 8 - Int(n)
        // A file cut short: the header describes more data than follows it.
        let needed = header.values.compactMap { ($0 as? [String: Any])?["data_offsets"] as? [Int] }.compactMap(\.last).max() ?? 0
        if needed > payload {
            throw Error.malformed(path: path, reason: "truncated: its header describes \(needed) bytes of tensor data, \(payload) follow it")
        }
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
            var bytes = dtype.size
            for dim in shape {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: dim)
                guard (0...Int(Int32.max)).contains(dim), !overflow, product <= payload else {
                    throw Error.malformed(path: path, reason: "entry '\(name)' has shape \(shape): expected dimensions "
                                          + "from 0 to 2^31 - 1 whose \(ds) data fits in the file's \(payload) bytes")
                }
                bytes = product
            }
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

    /// A float tensor (F32; F64, F16 and BF16 converted).
    public func tensor(_ name: String) throws -> Tensor {
        let e = try entry(name)
        guard e.dtype.element.isFloatingPoint else {
            throw Error.wrongType(path: path, name: name, expected: "F32/F64/F16/BF16", got: e.dtype.rawValue)
        }
        let n = e.shape.reduce(1, *)
        let t = Tensor(uninitialized: e.shape)
        let lo = dataStart + e.range.lowerBound
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let src = UnsafeRawBufferPointer(rebasing: raw[lo..<(lo + n * e.dtype.size)])
            if e.dtype == .f32 {
                for i in 0..<n { t.ptr[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            } else {
                for i in 0..<n { t.ptr[i] = PthFile.element(src, i, e.dtype.element) }
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
            case .i16: return (0..<n).map { Int(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self))) }
            case .i8: return (0..<n).map { Int(src.load(fromByteOffset: $0, as: Int8.self)) }
            case .u8, .bool: return (0..<n).map { Int(src.load(fromByteOffset: $0, as: UInt8.self)) }
            default: throw Error.wrongType(path: path, name: name, expected: "an integer dtype", got: e.dtype.rawValue)
            }
        }
        return IndexTensor(shape: e.shape, values)
    }

    /// A float tensor (F32, or F64 converted) from an integer entry too (I64/I32/U8/BOOL
    /// values as floats): for integer buffers such as BatchNorm's num_batches_tracked.
    public func indicesAsTensor(_ name: String) throws -> Tensor {
        let e = try entry(name)
        if e.dtype.element.isFloatingPoint { return try tensor(name) }
        let v = try indices(name)
        return Tensor(shape: v.shape, v.values.map { Float($0) })
    }

    /// One tensor to serialise: a Tensor as float32 or (integer-valued) int64, or raw
    /// little-endian bytes of any dtype (a conversion that keeps the file's types).
    public struct Item {
        public let name: String
        public let tensor: Tensor
        public let dtype: DType
        let raw: (shape: [Int], bytes: [UInt8])?

        public init(name: String, tensor: Tensor, dtype: DType = .f32) {
            checkInvariant(dtype == .f32 || dtype == .i64, "safetensors: can only write F32 and I64 from a Tensor, not \(dtype)")
            self.name = name
            self.tensor = tensor
            self.dtype = dtype
            raw = nil
        }

        public init(name: String, dtype: DType, shape: [Int], bytes: [UInt8]) {
            checkInvariant(bytes.count == shape.reduce(1, *) * dtype.size, "safetensors: \(name): byte count does not match shape")
            self.name = name
            tensor = Tensor.zeros([0])
            self.dtype = dtype
            raw = (shape, bytes)
        }

        var shape: [Int] { raw?.shape ?? tensor.shape }
        var byteCount: Int { raw?.bytes.count ?? dtype.size * tensor.count }
    }

    /// Serialises tensors in the given order with optional `__metadata__`.
    public static func encode(_ items: [Item], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for item in items {
            let bytes = item.byteCount
            header[item.name] = ["dtype": item.dtype.rawValue, "shape": item.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(count: 8 + json.count + offset)
        out.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
            raw.storeBytes(of: UInt64(json.count).littleEndian, toByteOffset: 0, as: UInt64.self)
            json.copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: raw[8..<(8 + json.count)]))
            var pos = 8 + json.count
            for item in items {
                if let r = item.raw {
                    r.bytes.withUnsafeBytes { raw[pos..<(pos + r.bytes.count)].copyBytes(from: $0) }
                    pos += r.bytes.count
                    continue
                }
                item.tensor.withUnsafeBufferPointer { buf in
                    for v in buf {
                        if item.dtype == .i64 {
                            raw.storeBytes(of: Int64(v).littleEndian, toByteOffset: pos, as: Int64.self)
                            pos += 8
                        } else {
                            raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: pos, as: UInt32.self)
                            pos += 4
                        }
                    }
                }
            }
        }
        return out
    }
}
