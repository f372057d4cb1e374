/// pycocotools' compressed counts string (`rleToString` / `rleFrString`): like LEB128 with 5
/// data bits per character, characters `'0'` (48) to `'o'` (111), and counts from the fourth
/// on stored as the difference to the count two places before.
extension RLE {
    /// The compressed string of `counts`.
    public var compressedCounts: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(counts.count * 2)
        for i in 0..<counts.count {
            var x = Int64(counts[i])
            if i > 2 { x -= Int64(counts[i - 2]) }
            var more = true
            while more {
                var c = UInt8(truncatingIfNeeded: x & 0x1f)
                x >>= 5
                more = (c & 0x10) != 0 ? x != -1 : x != 0
                if more { c |= 0x20 }
                bytes.append(c + 48)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes a compressed counts string for a `height x width` mask. Throws on a character
    /// outside `'0'...'o'` or a string that ends inside a value; does not check that the counts
    /// cover the image (see `validate()`).
    public init(compressedCounts string: String, height: Int, width: Int) throws {
        var text = string
        self = try text.withUTF8 { try RLE(compressedBytes: $0, height: height, width: width) }
    }

    /// Decodes compressed counts given as bytes (e.g. a string inside a JSON parser's buffer).
    public init(compressedBytes s: UnsafeBufferPointer<UInt8>, height: Int, width: Int) throws {
        // Decoded into scratch space first, so the counts array is allocated once at its size.
        let counts = try withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(1, s.count)) { scratch in
            let n = try RLE.decodeCompressed(s, into: scratch.baseAddress!)
            return Array(UnsafeBufferPointer(start: scratch.baseAddress!, count: n))
        }
        self.init(height: height, width: width, counts: counts)
    }

    /// `rleFrString` into `out` (room for `s.count` values); returns the number of counts.
    static func decodeCompressed(_ s: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt32>) throws -> Int {
        var n = 0
        var p = 0
        while p < s.count {
            var x: Int64 = 0
            var shift: Int64 = 0
            var more = true
            while more {
                guard p < s.count else {
                    throw StructuresError(.mask, "compressed RLE string ends inside a value (at character \(p))")
                }
                let raw = s[p]
                guard raw >= 48, raw <= 111 else {
                    throw StructuresError(.mask, "compressed RLE string has the character \(RLE.describe(raw)) at \(p) (only '0' to 'o')")
                }
                // pycocotools shifts a C int: 32 bits, the count taken mod 32 by x86's shl (its
                // wheel reads "PPPPPPPQ0" as [8]), the result sign-extended into its long x
                let c = Int32(raw - 48)
                x |= Int64((c & 0x1f) &<< Int32(truncatingIfNeeded: shift))
                more = (c & 0x20) != 0
                p += 1
                shift += 5
                if !more, (c & 0x10) != 0 { x |= Int64(Int32(-1) &<< Int32(truncatingIfNeeded: shift)) }
            }
            if n > 2 { x &+= Int64(out[n - 2]) }  // pycocotools' C long wraps; the count is 32 bits either way
            out[n] = UInt32(truncatingIfNeeded: x)
            n += 1
        }
        return n
    }

    private static func describe(_ byte: UInt8) -> String {
        byte >= 32 && byte < 127 ? "'\(Character(Unicode.Scalar(byte)))'" : "byte \(byte)"
    }
}
