import Structures
import Kernels

/// `cv2.resize(..., interpolation=INTER_LINEAR)` on 8-bit images, bit for bit: OpenCV's
/// fixed-point bilinear (half-pixel centres, 11-bit coefficients, its rounding and edge
/// rules), and its 2x2 box average when the image is exactly halved. This is what mmcv's
/// `imresize`/`imrescale` give mmdetection's `Resize`.
public enum ImageResize {
    static let coefScale: Float = 2048  // INTER_RESIZE_COEF_SCALE = 1 << 11

    /// The image resized to (height, width).
    public static func linear(_ image: ImageU8, height dh: Int, width dw: Int) -> ImageU8 {
        checkInvariant(dh > 0 && dw > 0, "ImageResize.linear: target size \(dh)x\(dw)")
        if dh == image.height && dw == image.width { return image }
        let invX = Double(dw) / Double(image.width), invY = Double(dh) / Double(image.height)
        let scaleX = 1 / invX, scaleY = 1 / invY
        if isExactHalf(scaleX) && isExactHalf(scaleY) { return halved(image, height: dh, width: dw) }
        let xs = LinearTaps.columns(source: image.width, destination: dw, scale: scaleX)
        let ys = LinearTaps.rows(source: image.height, destination: dh, scale: scaleY)
        var out = [UInt8](repeating: 0, count: dh * dw * image.channels)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                LinearKernel(src: src.baseAddress!, srcHeight: image.height, srcWidth: image.width,
                             channels: image.channels, xs: xs, dstWidth: dw).run(ys: ys, into: dst.baseAddress!)
            }
        }
        return ImageU8(height: dh, width: dw, channels: image.channels, pixels: out)
    }

    /// OpenCV switches INTER_LINEAR to its fast area mode when both scales are exactly 2.
    private static func isExactHalf(_ scale: Double) -> Bool {
        abs(scale - scale.rounded()) < Double.ulpOfOne && scale.rounded() == 2
    }

    /// `(a + b + c + d + 2) >> 2` over 2x2 blocks (OpenCV `resizeAreaFast_`).
    static func halved(_ image: ImageU8, height dh: Int, width dw: Int) -> ImageU8 {
        let cn = image.channels, sw = image.width
        var out = [UInt8](repeating: 0, count: dh * dw * cn)
        image.pixels.withUnsafeBufferPointer { s in
            for y in 0..<dh {
                let r0 = 2 * y * sw * cn, r1 = r0 + sw * cn
                for x in 0..<dw {
                    for c in 0..<cn {
                        let i = 2 * x * cn + c
                        let sum = Int(s[r0 + i]) + Int(s[r0 + i + cn]) + Int(s[r1 + i]) + Int(s[r1 + i + cn])
                        out[(y * dw + x) * cn + c] = UInt8((sum + 2) >> 2)
                    }
                }
            }
        }
        return ImageU8(height: dh, width: dw, channels: cn, pixels: out)
    }
}

/// Source indices and 11-bit weights of OpenCV's bilinear resize along one axis.
struct LinearTaps {
    var index: [Int]
    var w0: [Int32]
    var w1: [Int32]
    /// Columns at and after `limit` copy their source pixel (times 2048) instead of blending.
    var limit: Int

    /// Per destination column: `fx = float((dx + 0.5) * scale - 0.5)`, `sx = floor(fx)`, the
    /// fraction in Float; out-of-range columns clamp to the edge pixel with weight (1, 0).
    static func columns(source sw: Int, destination dw: Int, scale: Double) -> LinearTaps {
        var taps = LinearTaps(index: [], w0: [], w1: [], limit: dw)
        for dx in 0..<dw {
            var fx = Float((Double(dx) + 0.5) * scale - 0.5)
            var sx = Int(fx.rounded(.down))
            fx -= Float(sx)
            if sx < 0 { fx = 0; sx = 0 }
            if sx + 1 >= sw {
                taps.limit = min(taps.limit, dx)
                if sx >= sw - 1 { fx = 0; sx = sw - 1 }
            }
            taps.append(sx, fx)
        }
        return taps
    }

    /// Per destination row: the same rule without clamping the weights; the two source rows
    /// are clamped to the image instead (so edge rows blend a row with itself, as OpenCV does).
    static func rows(source sh: Int, destination dh: Int, scale: Double) -> LinearTaps {
        var taps = LinearTaps(index: [], w0: [], w1: [], limit: dh)
        for dy in 0..<dh {
            var fy = Float((Double(dy) + 0.5) * scale - 0.5)
            let sy = Int(fy.rounded(.down))
            fy -= Float(sy)
            taps.append(sy, fy)
        }
        return taps
    }

    private mutating func append(_ i: Int, _ f: Float) {
        index.append(i)
        // saturate_cast<short>(float): round half to even.
        w0.append(Int32(((1 - f) * ImageResize.coefScale).rounded(.toNearestOrEven)))
        w1.append(Int32((f * ImageResize.coefScale).rounded(.toNearestOrEven)))
    }
}

/// The separable pass: horizontal blends of a source row into Int32 (cached per source row),
/// then the vertical blend `((b0 * (r0 >> 4)) >> 16) + ((b1 * (r1 >> 4)) >> 16) + 2) >> 2`.
struct LinearKernel {
    let src: UnsafePointer<UInt8>
    let srcHeight: Int
    let srcWidth: Int
    let channels: Int
    let xs: LinearTaps
    let dstWidth: Int

    // src: (srcHeight, srcWidth, C) u8; dst: (ys.count, dstWidth, C) u8
    func run(ys: LinearTaps, into dst: UnsafeMutablePointer<UInt8>) {
        let rowLen = dstWidth * channels
        let buffers = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * rowLen)
        defer { buffers.deallocate() }
        var tag = (-1, -1)  // the source row each buffer holds
        for dy in 0..<ys.index.count {
            let a = min(max(ys.index[dy], 0), srcHeight - 1), b = min(max(ys.index[dy] + 1, 0), srcHeight - 1)
            let j0: Int
            if tag.0 == a { j0 = 0 } else if tag.1 == a { j0 = 1 } else {
                j0 = tag.0 == b ? 1 : 0
                horizontal(a, into: buffers + j0 * rowLen)
                if j0 == 0 { tag.0 = a } else { tag.1 = a }
            }
            let j1: Int
            if a == b { j1 = j0 } else if tag.0 == b { j1 = 0 } else if tag.1 == b { j1 = 1 } else {
                j1 = 1 - j0
                horizontal(b, into: buffers + j1 * rowLen)
                if j1 == 0 { tag.0 = b } else { tag.1 = b }
            }
            let p0 = buffers + j0 * rowLen, p1 = buffers + j1 * rowLen
            let b0 = ys.w0[dy], b1 = ys.w1[dy]
            let out = dst + dy * rowLen
            for i in 0..<rowLen {
                let v = ((b0 &* (p0[i] >> 4)) >> 16) &+ ((b1 &* (p1[i] >> 4)) >> 16) &+ 2
                out[i] = UInt8(truncatingIfNeeded: v >> 2)
            }
        }
    }

    /// Source row `r` blended along x: `S[sx] * a0 + S[sx + 1] * a1`, or `S[sx] * 2048` past
    /// the last column that has a right neighbour.
    private func horizontal(_ r: Int, into d: UnsafeMutablePointer<Int32>) {
        let s = src + r * srcWidth * channels
        let cn = channels
        xs.index.withUnsafeBufferPointer { index in
            for dx in 0..<dstWidth {
                let sx = index[dx] * cn, o = dx * cn
                if dx < xs.limit {
                    let a0 = xs.w0[dx], a1 = xs.w1[dx]
                    for c in 0..<cn { d[o + c] = Int32(s[sx + c]) &* a0 &+ Int32(s[sx + cn + c]) &* a1 }
                } else {
                    for c in 0..<cn { d[o + c] = Int32(s[sx + c]) &* 2048 }
                }
            }
        }
    }
}

extension ImageResize {
    /// `cv2.resize(..., interpolation=INTER_NEAREST)`: OpenCV's index rule (`NearestIndex`).
    public static func nearest(_ image: ImageU8, height dh: Int, width dw: Int) -> ImageU8 {
        if dh == image.height && dw == image.width { return image }
        let xs = NearestIndex.opencv(source: image.width, destination: dw)
        let ys = NearestIndex.opencv(source: image.height, destination: dh)
        let cn = image.channels
        var out = [UInt8](repeating: 0, count: dh * dw * cn)
        for y in 0..<dh {
            let row = ys[y] * image.width * cn
            for x in 0..<dw {
                for c in 0..<cn { out[(y * dw + x) * cn + c] = image.pixels[row + xs[x] * cn + c] }
            }
        }
        return ImageU8(height: dh, width: dw, channels: cn, pixels: out)
    }
}
