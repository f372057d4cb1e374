import CZlib
import Foundation
import Kernels

/// Writes a PyTorch checkpoint as `torch.save` does (zip format, pickle protocol 2, folder
/// `archive/`, storages stored uncompressed at 64-byte aligned offsets): a dict
/// `{'meta': {str: str}, 'state_dict': OrderedDict(name -> tensor)}` that
/// `torch.load(path, weights_only=True)` reads and mmengine's `load_checkpoint` takes.
/// Each tensor gets its own storage: a Tensor as float32 (or int64 for integer buffers), or
/// raw little-endian bytes of any dtype (a conversion that keeps the file's types).
public enum PthWriter {
    public struct Item {
        public let name: String
        public let dtype: PthDType
        public let shape: [Int]
        let data: () -> [UInt8]

        public init(name: String, tensor: Tensor, isInteger: Bool = false) {
            self.name = name
            dtype = isInteger ? .int64 : .float32
            shape = tensor.shape
            data = { PthWriter.bytes(tensor, integer: isInteger) }
        }

        public init(name: String, dtype: PthDType, shape: [Int], bytes: [UInt8]) {
            checkInvariant(bytes.count == shape.reduce(1, *) * dtype.itemSize, "pth: \(name): byte count does not match shape")
            self.name = name
            self.dtype = dtype
            self.shape = shape
            data = { bytes }
        }

        var count: Int { shape.reduce(1, *) }
    }

    /// torch's storage class of each element type.
    static func storageClass(_ d: PthDType) -> String {
        PthDType.storageClasses.first { $0.value == d }!.key
    }

    public static func encode(_ items: [Item], meta: [String: String] = [:]) throws -> Data {
        var zip = ZipWriter()
        zip.add("archive/data.pkl", pickle(items, meta: meta))
        zip.add("archive/.format_version", Array("1".utf8))
        zip.add("archive/.storage_alignment", Array("64".utf8))
        zip.add("archive/byteorder", Array("little".utf8))
        for (i, item) in items.enumerated() { zip.add("archive/data/\(i)", item.data()) }
        zip.add("archive/version", Array("3\n".utf8))
        return try zip.finish()
    }

    /// The tensor's elements little-endian: float32, or int64 for integer buffers.
    static func bytes(_ tensor: Tensor, integer: Bool) -> [UInt8] {
        tensor.withUnsafeBufferPointer { buf in
            if integer {
                var out = [UInt8](repeating: 0, count: buf.count * 8)
                out.withUnsafeMutableBytes { raw in
                    for (i, v) in buf.enumerated() { raw.storeBytes(of: Int64(v).littleEndian, toByteOffset: 8 * i, as: Int64.self) }
                }
                return out
            }
            var out = [UInt8](repeating: 0, count: buf.count * 4)
            out.withUnsafeMutableBytes { raw in
                for (i, v) in buf.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
            }
            return out
        }
    }

    // MARK: - The pickle (protocol 2, as torch's pickler writes it, without memo)

    static func pickle(_ items: [Item], meta: [String: String]) -> [UInt8] {
        var p = PickleWriter()
        p.op(0x80, 2)  // PROTO 2
        p.op(0x7D)  // EMPTY_DICT
        p.op(0x28)  // MARK
        p.string("meta")
        p.op(0x7D)
        if !meta.isEmpty {
            p.op(0x28)
            for key in meta.keys.sorted() { p.string(key); p.string(meta[key]!) }
            p.op(0x75)  // SETITEMS
        }
        p.string("state_dict")
        p.global("collections", "OrderedDict")
        p.op(0x29, 0x52)  // EMPTY_TUPLE REDUCE
        for (start, batch) in stride(from: 0, to: items.count, by: 1000).map({ ($0, items[$0..<min($0 + 1000, items.count)]) }) {
            p.op(0x28)
            for (offset, item) in batch.enumerated() { p.string(item.name); p.tensor(item, key: start + offset) }
            p.op(0x75)
        }
        p.op(0x75, 0x2E)  // SETITEMS STOP
        return p.bytes
    }

    struct PickleWriter {
        var bytes: [UInt8] = []

        mutating func op(_ codes: UInt8...) { bytes += codes }

        mutating func string(_ s: String) {
            let u = Array(s.utf8)
            bytes.append(0x58)  // BINUNICODE
            withUnsafeBytes(of: UInt32(u.count).littleEndian) { bytes += $0 }
            bytes += u
        }

        mutating func int(_ v: Int) {
            if v >= 0 && v < 256 {
                bytes += [0x4B, UInt8(v)]  // BININT1
            } else if v >= Int(Int32.min) && v <= Int(Int32.max) {
                bytes.append(0x4A)  // BININT
                withUnsafeBytes(of: Int32(v).littleEndian) { bytes += $0 }
            } else {
                bytes += [0x8A, 8]  // LONG1, 8 bytes
                withUnsafeBytes(of: Int64(v).littleEndian) { bytes += $0 }
            }
        }

        mutating func global(_ module: String, _ name: String) {
            bytes.append(0x63)
            bytes += Array((module + "\n" + name + "\n").utf8)
        }

        mutating func tuple(_ values: [Int]) {
            if values.isEmpty { bytes.append(0x29); return }
            bytes.append(0x28)
            for v in values { int(v) }
            bytes.append(0x74)
        }

        /// `torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())`
        /// with the storage as persistent id `('storage', torch.XStorage, key, 'cpu', numel)`.
        mutating func tensor(_ item: Item, key: Int) {
            global("torch._utils", "_rebuild_tensor_v2")
            bytes.append(0x28)  // MARK (arguments)
            bytes.append(0x28)  // MARK (persistent id)
            string("storage")
            global("torch", PthWriter.storageClass(item.dtype))
            string(String(key))
            string("cpu")
            int(item.count)
            bytes += [0x74, 0x51]  // TUPLE BINPERSID
            int(0)
            let shape = item.shape
            tuple(shape)
            var strides = [Int](repeating: 1, count: shape.count)
            for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
            tuple(strides)
            bytes.append(0x89)  // NEWFALSE (requires_grad)
            global("collections", "OrderedDict")
            bytes += [0x29, 0x52]  // EMPTY_TUPLE REDUCE (backward hooks)
            bytes += [0x74, 0x52]  // TUPLE REDUCE
        }
    }
}

/// A zip archive of stored entries as torch writes it: each entry's data 64-byte aligned by
/// padding in an extra field (id 0x4246), CRC-32 by zlib, classic end record (entries and
/// offsets below 4 GiB).
struct ZipWriter {
    private var out: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0
    private var tooLarge: String?

    mutating func add(_ name: String, _ data: [UInt8]) {
        let nameBytes = Array(name.utf8)
        let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        let offset = out.count
        if offset + data.count + 1024 >= Int(UInt32.max) { tooLarge = name }
        // Pad so that the data starts at a multiple of 64 (torch's .storage_alignment).
        let headerEnd = offset + 30 + nameBytes.count + 4
        let padding = (64 - headerEnd % 64) % 64
        out += le32(0x0403_4b50) + le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
        out += le32(crc) + le32(UInt32(truncatingIfNeeded: data.count)) + le32(UInt32(truncatingIfNeeded: data.count))
        out += le16(UInt16(nameBytes.count)) + le16(UInt16(4 + padding)) + nameBytes
        out += le16(0x4246) + le16(UInt16(padding)) + [UInt8](repeating: 0x5A, count: padding)
        out += data
        central += le32(0x0201_4b50) + le16(20) + le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
        central += le32(crc) + le32(UInt32(truncatingIfNeeded: data.count)) + le32(UInt32(truncatingIfNeeded: data.count))
        central += le16(UInt16(nameBytes.count)) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
        central += le32(UInt32(truncatingIfNeeded: offset)) + nameBytes
        count += 1
    }

    func finish() throws -> Data {
        if let tooLarge { throw PthError(tooLarge, "a checkpoint of 4 GiB or more cannot be written as .pth by SwiftDet; use .safetensors") }
        var all = out
        let cdOffset = all.count
        all += central
        all += le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(count)) + le16(UInt16(count))
        all += le32(UInt32(central.count)) + le32(UInt32(cdOffset)) + le16(0)
        return Data(all)
    }

    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
}
