import CZlib
import Foundation

/// The entries of a zip archive as `torch.save` writes it (and as Python's zipfile rewrites
/// it): the central directory (classic or zip64) is authoritative; an entry's data starts
/// after its local header, whose name and extra lengths are read from the local header
/// itself. Stored entries are used in place; deflated ones are inflated with zlib.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let crc: UInt32
        let compressedSize: Int
        let size: Int
        let localOffset: Int
    }

    let path: String
    let entries: [Entry]
    let byName: [String: Int]

    init(_ bytes: UnsafeRawBufferPointer, path: String) throws {
        self.path = path
        let r = ByteReader(bytes: bytes)
        func fail(_ why: String) -> PthError { PthError(path, "not a readable zip archive: \(why)") }
        // End of central directory: the last "PK\5\6" within the final 64 KiB + 22 bytes.
        var eocd = -1
        var at = bytes.count - 22
        while at >= max(0, bytes.count - 22 - 65535) {
            if r.u32(at) == 0x0605_4b50 { eocd = at; break }
            at -= 1
        }
        guard eocd >= 0 else { throw fail("no end-of-central-directory record (truncated?)") }
        var count = Int(r.u16(eocd + 10)!)
        var cdSize = Int(r.u32(eocd + 12)!), cdOffset = Int(r.u32(eocd + 16)!)
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // zip64: the locator sits just before the classic record.
            guard r.u32(eocd - 20) == 0x0706_4b50, let z = r.u64(eocd - 12), z < UInt64(bytes.count),
                  r.u32(Int(z)) == 0x0606_4b50, let n = r.u64(Int(z) + 32), let s = r.u64(Int(z) + 40),
                  let o = r.u64(Int(z) + 48), n < 1 << 32, s < UInt64(bytes.count), o < UInt64(bytes.count)
            else { throw fail("bad zip64 end-of-central-directory record") }
            (count, cdSize, cdOffset) = (Int(n), Int(s), Int(o))
        }
        guard r.range(cdOffset, cdSize) != nil else { throw fail("central directory outside the file") }
        var entries: [Entry] = [], byName: [String: Int] = [:]
        var p = cdOffset
        for _ in 0..<count {
            guard r.u32(p) == 0x0201_4b50, let method = r.u16(p + 10), let crc = r.u32(p + 16),
                  let c32 = r.u32(p + 20), let u32 = r.u32(p + 24), let nameLen = r.u16(p + 28),
                  let extraLen = r.u16(p + 30), let commentLen = r.u16(p + 32), let off32 = r.u32(p + 42),
                  let nameRange = r.range(p + 46, Int(nameLen)), let extraRange = r.range(nameRange.upperBound, Int(extraLen))
            else { throw fail("bad central directory entry at byte \(p)") }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameRange]), as: UTF8.self)
            var sizes = [UInt64(u32), UInt64(c32), UInt64(off32)]
            try Self.applyZip64(r, extra: extraRange, to: &sizes, fail: fail)
            guard sizes[1] <= UInt64(bytes.count), sizes[2] <= UInt64(bytes.count), sizes[0] < 1 << 40 else {
                throw fail("entry \(name): sizes out of range")
            }
            byName[name] = entries.count
            entries.append(Entry(name: name, method: method, crc: crc, compressedSize: Int(sizes[1]),
                                 size: Int(sizes[0]), localOffset: Int(sizes[2])))
            p = extraRange.upperBound + Int(commentLen)
        }
        self.entries = entries
        self.byName = byName
    }

    /// The zip64 extra field (id 1) holds 8-byte values only for the fields that are
    /// 0xFFFFFFFF, in the order size, compressed size, local offset.
    private static func applyZip64(_ r: ByteReader, extra: Range<Int>, to sizes: inout [UInt64],
                                   fail: (String) -> PthError) throws {
        var q = extra.lowerBound
        while q + 4 <= extra.upperBound {
            let id = r.u16(q)!, len = Int(r.u16(q + 2)!)
            guard q + 4 + len <= extra.upperBound else { throw fail("bad extra field") }
            if id == 1 {
                var v = q + 4
                for i in 0..<3 where sizes[i] == 0xFFFF_FFFF {
                    guard v + 8 <= q + 4 + len, let x = r.u64(v) else { throw fail("short zip64 extra field") }
                    sizes[i] = x
                    v += 8
                }
            }
            q += 4 + len
        }
    }

    /// Where entry `i`'s stored bytes lie in the file.
    func dataRange(_ i: Int, in bytes: UnsafeRawBufferPointer) throws -> Range<Int> {
        let e = entries[i], r = ByteReader(bytes: bytes)
        guard r.u32(e.localOffset) == 0x0403_4b50, let n = r.u16(e.localOffset + 26), let x = r.u16(e.localOffset + 28),
              let range = r.range(e.localOffset + 30 + Int(n) + Int(x), e.compressedSize)
        else { throw PthError(path, "zip entry \(e.name): its data lies outside the file (truncated?)") }
        return range
    }

    /// Entry `i`'s contents (inflated when deflate-compressed), with its CRC-32 checked when
    /// `verify` is set.
    func contents(_ i: Int, in bytes: UnsafeRawBufferPointer, verify: Bool) throws -> [UInt8] {
        let e = entries[i]
        let raw = UnsafeRawBufferPointer(rebasing: bytes[try dataRange(i, in: bytes)])
        var out: [UInt8]
        switch e.method {
        case 0: out = Array(raw)
        case 8: out = try inflate(raw, size: e.size, name: e.name)
        default: throw PthError(path, "zip entry \(e.name) uses compression method \(e.method); re-save it with torch.save")
        }
        guard out.count == e.size else { throw PthError(path, "zip entry \(e.name) has \(out.count) bytes, its header says \(e.size)") }
        if verify {
            let crc = out.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            guard crc == e.crc else { throw PthError(path, "zip entry \(e.name): CRC-32 mismatch (the file is corrupt)") }
        }
        return out
    }

    private func inflate(_ raw: UnsafeRawBufferPointer, size: Int, name: String) throws -> [UInt8] {
        // Deflate expands at most 1032:1, so a larger declared size is a lie that would only cost
        // memory; zlib counts in 32 bits (PyTorch stores its entries uncompressed anyway).
        guard size <= raw.count * 1032 + 1024 else {
            throw PthError(path, "zip entry \(name): \(size) bytes uncompressed from \(raw.count) deflated is more than deflate "
                           + "can give (1032:1): a corrupt size field")
        }
        guard size < 1 << 32, raw.count < 1 << 32 else {
            throw PthError(path, "zip entry \(name): a deflated entry of 4 GiB or more is not supported (store it uncompressed)")
        }
        var out = [UInt8](repeating: 0, count: size)
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw PthError(path, "zip entry \(name): cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        let status: Int32 = out.withUnsafeMutableBufferPointer { o in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(raw.count)
            stream.next_out = o.baseAddress
            stream.avail_out = uInt(o.count)
            return CZlib.inflate(&stream, Z_FINISH)
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw PthError(path, "zip entry \(name): corrupt deflate data")
        }
        return out
    }
}
