import Kernels
/// Instance masks as one 0/1 byte per pixel, N masks of the same height and width, as
/// mmdetection's `BitmapMasks` (mmdet/structures/mask/structures.py): resize with OpenCV's
/// nearest rule, flip, pad, crop, and `cropAndResize` to RoI mask targets.
public struct BitmapMasks: Sendable, Equatable {
    public let height: Int
    public let width: Int
    /// `count * height * width` bytes, mask after mask, each row-major.
    public var data: [UInt8]

    public init(height: Int, width: Int, data: [UInt8]) {
        checkInvariant(height >= 0 && width >= 0, "BitmapMasks: negative size \(height)x\(width)")
        let plane = height * width
        checkInvariant(plane == 0 ? data.isEmpty : data.count % plane == 0,
                     "BitmapMasks: \(data.count) bytes is not a whole number of \(height)x\(width) masks")
        self.height = height
        self.width = width
        self.data = data
    }

    /// No masks, for an image of the given size.
    public static func empty(height: Int, width: Int) -> BitmapMasks {
        BitmapMasks(height: height, width: width, data: [])
    }

    /// Stacks single masks of one size.
    public init(height: Int, width: Int, masks: [[UInt8]]) {
        self.init(height: height, width: width, data: masks.flatMap { $0 })
    }

    public var count: Int { height * width == 0 ? 0 : data.count / (height * width) }

    /// Mask `i` as `height * width` bytes.
    public func mask(_ i: Int) -> ArraySlice<UInt8> {
        let plane = height * width
        return data[(i * plane)..<((i + 1) * plane)]
    }

    /// The number of set pixels per mask.
    public var areas: [Int] {
        (0..<count).map { i in mask(i).reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
    }

    /// The masks at the given indices, in that order.
    public func selecting(_ indices: [Int]) -> BitmapMasks {
        var out: [UInt8] = []
        out.reserveCapacity(indices.count * height * width)
        for i in indices { out.append(contentsOf: mask(i)) }
        return BitmapMasks(height: height, width: width, data: out)
    }

    /// Resized to (height, width) with OpenCV's `INTER_NEAREST` (mmcv `imresize(...,
    /// interpolation='nearest')`): source index `floor(dst * (1 / (dstSize / srcSize)))`,
    /// clamped to the last pixel. No half-pixel centres: that is OpenCV's rule, not torch's.
    public func resized(height newH: Int, width newW: Int) -> BitmapMasks {
        if newH == height && newW == width { return self }
        let n = count
        guard n > 0, newH > 0, newW > 0 else { return .empty(height: newH, width: newW) }
        let xs = NearestIndex.opencv(source: width, destination: newW)
        let ys = NearestIndex.opencv(source: height, destination: newH)
        var out = [UInt8](repeating: 0, count: n * newH * newW)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for m in 0..<n {
                    let s = src.baseAddress! + m * height * width, d = dst.baseAddress! + m * newH * newW
                    for y in 0..<newH {
                        let o = d + y * newW
                        if y > 0 && ys[y] == ys[y - 1] {  // upscaling repeats source rows
                            o.update(from: o - newW, count: newW)
                            continue
                        }
                        let row = s + ys[y] * width
                        for x in 0..<newW { o[x] = row[xs[x]] }
                    }
                }
            }
        }
        return BitmapMasks(height: newH, width: newW, data: out)
    }

    /// The masks of the flipped image (numpy `flip` on the width or height axis).
    public func flipped(_ direction: FlipDirection) -> BitmapMasks {
        let (h, w) = (height, width)
        var out = [UInt8](repeating: 0, count: data.count)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for row in 0..<(count * h) {
                    let m = row / h, y = row % h
                    let sy = direction.flipsRows ? h - 1 - y : y
                    let s = src.baseAddress! + (m * h + sy) * w, d = dst.baseAddress! + row * w
                    if direction.flipsColumns {
                        ByteRows.reverse(s, into: d, count: w)
                    } else {
                        d.update(from: s, count: w)
                    }
                }
            }
        }
        return BitmapMasks(height: h, width: w, data: out)
    }

    /// Zero-padded on the bottom and right to (height, width) (mmdet `pad`, pad value 0).
    public func padded(height newH: Int, width newW: Int, value: UInt8 = 0) -> BitmapMasks {
        checkInvariant(newH >= height && newW >= width, "BitmapMasks.padded: \(newH)x\(newW) is smaller than \(height)x\(width)")
        if newH == height && newW == width { return self }
        var out = [UInt8](repeating: value, count: count * newH * newW)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for row in 0..<(count * height) {
                    let m = row / height, y = row % height
                    (dst.baseAddress! + m * newH * newW + y * newW).update(from: src.baseAddress! + row * width, count: width)
                }
            }
        }
        return BitmapMasks(height: newH, width: newW, data: out)
    }

    /// The region of a box (mmdet `crop`): the box is clipped to the image, its corners are
    /// truncated to integers and the size is at least 1x1.
    public func cropped(x1: Double, y1: Double, x2: Double, y2: Double) -> BitmapMasks {
        let cx1 = Int(min(max(x1, 0), Double(width))), cx2 = Int(min(max(x2, 0), Double(width)))
        let cy1 = Int(min(max(y1, 0), Double(height))), cy2 = Int(min(max(y2, 0), Double(height)))
        // numpy slicing past the end stops at the edge.
        let w = min(max(cx2 - cx1, 1), width - cx1), h = min(max(cy2 - cy1, 1), height - cy1)
        var out: [UInt8] = []
        out.reserveCapacity(count * max(h, 0) * max(w, 0))
        for m in 0..<count {
            for y in cy1..<(cy1 + max(h, 0)) {
                let s = m * height * width + y * width + cx1
                out.append(contentsOf: data[s..<(s + max(w, 0))])
            }
        }
        return BitmapMasks(height: max(h, 0), width: max(w, 0), data: out)
    }
}

/// OpenCV's nearest-neighbour source indices (`resizeNN`).
public enum NearestIndex {
    /// For each destination index, `min(floor(d * (1 / (dst / src))), src - 1)`, computed in
    /// Double exactly as OpenCV does (the scale is inverted, not `src / dst`).
    public static func opencv(source: Int, destination: Int) -> [Int] {
        let inverse = 1.0 / (Double(destination) / Double(source))
        return (0..<destination).map { min(Int((Double($0) * inverse).rounded(.down)), source - 1) }
    }
}

/// Row helpers for byte planes.
enum ByteRows {
    /// `d[i] = s[count - 1 - i]`, eight bytes at a time (a byte-swapped 64-bit word).
    @inline(__always)
    static func reverse(_ s: UnsafePointer<UInt8>, into d: UnsafeMutablePointer<UInt8>, count: Int) {
        let raw = UnsafeRawPointer(s), out = UnsafeMutableRawPointer(d)
        var x = 0
        while x + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: count - x - 8, as: UInt64.self)
            out.storeBytes(of: word.byteSwapped, toByteOffset: x, as: UInt64.self)
            x += 8
        }
        while x < count {
            d[x] = s[count - 1 - x]
            x += 1
        }
    }
}
