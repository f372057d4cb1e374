import Kernels
/// A binary mask as run lengths in column-major (Fortran) order over an `height x width`
/// image, exactly pycocotools' `RLE` (common/maskApi.h): counts alternate runs of 0s and 1s,
/// starting with 0s (the first count may be 0). Compressed strings, merging, IoU and polygon
/// rasterization are in the sibling files.
public struct RLE: Hashable, Sendable {
    public var height: Int
    public var width: Int
    public var counts: [UInt32]

    public init(height: Int, width: Int, counts: [UInt32]) {
        self.height = height
        self.width = width
        self.counts = counts
    }

    /// An all-zero mask (`[h * w]`).
    public static func empty(height: Int, width: Int) -> RLE {
        RLE(height: height, width: width, counts: [UInt32(truncatingIfNeeded: height * width)])
    }

    /// Encodes a column-major mask (pixel `(y, x)` at `x * height + y`) as `rleEncode` does;
    /// any nonzero byte is foreground.
    public init(columnMajor mask: UnsafeBufferPointer<UInt8>, height: Int, width: Int) {
        checkInvariant(mask.count == height * width, "RLE: mask of \(mask.count) bytes for \(height)x\(width)")
        var counts: [UInt32] = []
        var current: UInt8 = 0
        var runStart = 0
        if let base = mask.baseAddress {
            for i in 0..<mask.count {
                let bit: UInt8 = base[i] == 0 ? 0 : 1
                if bit != current {
                    counts.append(UInt32(truncatingIfNeeded: i - runStart))
                    runStart = i
                    current = bit
                }
            }
        }
        counts.append(UInt32(truncatingIfNeeded: mask.count - runStart))
        self.init(height: height, width: width, counts: counts)
    }

    /// Encodes a column-major mask given as an array.
    public init(columnMajor mask: [UInt8], height: Int, width: Int) {
        self = mask.withUnsafeBufferPointer { RLE(columnMajor: $0, height: height, width: width) }
    }

    /// Encodes a row-major mask (pixel `(y, x)` at `y * width + x`, an image's layout).
    public init(rowMajor mask: [UInt8], height: Int, width: Int) {
        checkInvariant(mask.count == height * width, "RLE: mask of \(mask.count) bytes for \(height)x\(width)")
        var columnMajor = [UInt8](repeating: 0, count: mask.count)
        if !mask.isEmpty {
            mask.withUnsafeBufferPointer { src in
                columnMajor.withUnsafeMutableBufferPointer { dst in
                    RLE.transpose(src.baseAddress!, rows: height, columns: width, into: dst.baseAddress!)
                }
            }
        }
        self.init(columnMajor: columnMajor, height: height, width: width)
    }

    /// `dst[c * rows + r] = src[r * columns + c]` (row-major <-> column-major).
    static func transpose(_ src: UnsafePointer<UInt8>, rows: Int, columns: Int, into dst: UnsafeMutablePointer<UInt8>) {
        for r in 0..<rows {
            let row = src + r * columns
            for c in 0..<columns { dst[c * rows + r] = row[c] }
        }
    }

    /// Sum of the counts (pixels covered); a valid RLE covers exactly `height * width`.
    public var pixelCount: Int { counts.reduce(0) { $0 + Int($1) } }

    /// Throws unless the counts cover exactly `height * width` pixels.
    public func validate() throws {
        guard height >= 0, width >= 0 else {
            throw StructuresError(.mask, "RLE size [\(height), \(width)] is negative")
        }
        let covered = pixelCount
        guard covered == height * width else {
            throw StructuresError(
                .mask, "RLE counts cover \(covered) pixels, but its size [\(height), \(width)] has \(height * width)")
        }
    }

    /// Decodes to a column-major mask of 0/1 bytes, as `rleDecode`: counts past the image are an
    /// error; pixels after the last run stay 0.
    public func decodeColumnMajor() throws -> [UInt8] {
        let total = height * width
        var mask = [UInt8](repeating: 0, count: total)
        var position = 0
        var value: UInt8 = 0
        try mask.withUnsafeMutableBufferPointer { out in
            for count in counts {
                let run = Int(count)
                guard run <= total - position else {
                    throw StructuresError(.mask, "RLE counts run past the \(height)x\(width) image")
                }
                if value == 1 { out.baseAddress!.advanced(by: position).update(repeating: 1, count: run) }
                position += run
                value ^= 1
            }
        }
        return mask
    }

    /// Decodes to a row-major `height x width` mask of 0/1 bytes (pixel `(y, x)` at
    /// `y * width + x`).
    public func decodeRowMajor() throws -> [UInt8] {
        let columnMajor = try decodeColumnMajor()
        var mask = [UInt8](repeating: 0, count: columnMajor.count)
        if mask.isEmpty { return mask }
        columnMajor.withUnsafeBufferPointer { src in
            mask.withUnsafeMutableBufferPointer { dst in
                RLE.transpose(src.baseAddress!, rows: width, columns: height, into: dst.baseAddress!)
            }
        }
        return mask
    }

    /// Foreground pixels: the sum of the odd-indexed counts, in uint32 as `rleArea`.
    public var area: UInt32 { counts.withUnsafeBufferPointer { Self.foreground($0) } }

    /// `toBbox`: `[x, y, w, h]` of the foreground, pixel-inclusive, computed as the current
    /// pycocotools `rleToBbox` does (uint32 arithmetic; `[0, 0, 0, 0]` for fewer than 2
    /// counts). A run spanning columns makes the box full-height.
    public var boundingBox: XYWH {
        counts.withUnsafeBufferPointer { RLE.boundingBox(counts: $0, height: height, width: width) }
    }

    /// `rleToBbox` on raw counts.
    public static func boundingBox(counts: UnsafeBufferPointer<UInt32>, height: Int, width: Int) -> XYWH {
        let h = UInt32(truncatingIfNeeded: height), w = UInt32(truncatingIfNeeded: width)
        let m = counts.count / 2 * 2
        if m == 0 || h == 0 { return XYWH(0, 0, 0, 0) }
        var xs = w, ys = h, xe: UInt32 = 0, ye: UInt32 = 0, cc: UInt32 = 0
        for j in 0..<m {
            let start = cc
            cc &+= counts[j]
            if j % 2 == 0 || counts[j] == 0 { continue }
            let yStart = start % h, xStart = (start &- yStart) / h
            let yEnd = (cc &- 1) % h, xEnd = (cc &- 1 &- yEnd) / h
            xs = Swift.min(xs, xStart)
            xe = Swift.max(xe, xEnd)
            if xStart < xEnd {
                ys = 0
                ye = h &- 1
            } else {
                ys = Swift.min(ys, yStart)
                ye = Swift.max(ye, yEnd)
            }
        }
        return XYWH(Double(xs), Double(ys), Double(xe &- xs &+ 1), Double(ye &- ys &+ 1))
    }
}
