import Datasets
import Kernels

/// A minimal PNG writer (ISO/IEC 15948): 8-bit truecolour (from a BGR image) or grayscale
/// (from a 1-channel image), no interlace, filter 0 on every row, and the zlib stream made of
/// deflate "stored" blocks, so no compression library is needed. Files are larger than a
/// compressing encoder's, which is fine for plots and debug images.
public enum PNGEncoder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The most bytes one stored deflate block holds (its LEN field is 16 bits).
    static let maxStoredBlock = 65_535

    /// The PNG file bytes of `image` (3 channels BGR, or 1 channel gray).
    public static func encode(_ image: ImageU8) -> [UInt8] {
        checkInvariant(image.channels == 3 || image.channels == 1,
                     "PNGEncoder: 1 or 3 channels, got \(image.channels)")
        var out = signature
        var ihdr: [UInt8] = []
        appendUInt32(UInt32(image.width), to: &ihdr)
        appendUInt32(UInt32(image.height), to: &ihdr)
        ihdr += [8, image.channels == 3 ? 2 : 0, 0, 0, 0]  // depth, colour type, compression, filter, interlace
        appendChunk("IHDR", ihdr, to: &out)
        appendChunk("IDAT", zlibStored(scanlines(image)), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// Each row as filter byte 0 followed by its pixels, RGB order for colour images.
    static func scanlines(_ image: ImageU8) -> [UInt8] {
        let cn = image.channels, rowBytes = image.width * cn
        var raw = [UInt8](repeating: 0, count: image.height * (rowBytes + 1))
        image.pixels.withUnsafeBufferPointer { src in
            raw.withUnsafeMutableBufferPointer { dst in
                for y in 0..<image.height {
                    let s = src.baseAddress! + y * rowBytes, d = dst.baseAddress! + y * (rowBytes + 1) + 1
                    if cn == 1 { d.update(from: s, count: rowBytes); continue }
                    for x in 0..<image.width {
                        d[3 * x] = s[3 * x + 2]; d[3 * x + 1] = s[3 * x + 1]; d[3 * x + 2] = s[3 * x]
                    }
                }
            }
        }
        return raw
    }

    /// A zlib stream (RFC 1950) holding `data` in stored deflate blocks (RFC 1951, BTYPE 00).
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]  // deflate, 32K window; FCHECK makes 0x7801 a multiple of 31
        out.reserveCapacity(data.count + 5 * (data.count / maxStoredBlock + 1) + 6)
        var offset = 0
        repeat {
            let n = min(maxStoredBlock, data.count - offset)
            let final = offset + n == data.count
            out.append(final ? 1 : 0)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out.append(contentsOf: data[offset..<(offset + n)])
            offset += n
        } while offset < data.count
        appendUInt32(Checksum.adler32(data), to: &out)
        return out
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        appendUInt32(UInt32(data.count), to: &out)
        let typed = Array(type.utf8) + data
        out += typed
        appendUInt32(Checksum.crc32(typed), to: &out)
    }

    static func appendUInt32(_ v: UInt32, to out: inout [UInt8]) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}

/// The two checksums a PNG needs: CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) over
/// each chunk, Adler-32 (RFC 1950) over the uncompressed zlib payload.
enum Checksum {
    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        crcTable.withUnsafeBufferPointer { table in
            for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            let end = min(i + 5552, bytes.count)  // the longest run before b can overflow 32 bits
            while i < end { a &+= UInt32(bytes[i]); b &+= a; i += 1 }
            a %= 65521
            b %= 65521
        }
        return (b << 16) | a
    }
}
