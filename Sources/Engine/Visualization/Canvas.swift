import Datasets
import Kernels

/// A 3-channel BGR `ImageU8` to draw on: filled and outlined rectangles, lines, binary
/// masks and bitmap text, all alpha-blended and clipped at the image borders. Blending is
/// OpenCV's `addWeighted` per pixel, `round(dst * (1 - alpha) + colour * alpha)`, which is how
/// mmengine's Visualizer lays masks over an image.
public struct Canvas: Sendable {
    /// The image drawn so far (BGR, 3 channels).
    public private(set) var image: ImageU8

    public var width: Int { image.width }
    public var height: Int { image.height }

    /// A canvas over a copy of `image`, which must have 3 channels (BGR).
    public init(image: ImageU8) {
        checkInvariant(image.channels == 3, "Canvas: needs a 3-channel BGR image, got \(image.channels) channels")
        self.image = image
    }

    /// A blank canvas filled with `background`.
    public init(width: Int, height: Int, background: RGBColor = .white) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = background.b
            pixels[3 * i + 1] = background.g
            pixels[3 * i + 2] = background.r
        }
        self.image = ImageU8(height: height, width: width, channels: 3, pixels: pixels)
    }

    /// The colour at column `x`, row `y`.
    public func pixel(x: Int, y: Int) -> RGBColor {
        RGBColor(image[y, x, 2], image[y, x, 1], image[y, x, 0])
    }

    /// Blends `color` into the half-open rectangle [x0, x1) x [y0, y1), clipped to the image.
    public mutating func fillRect(x0: Int, y0: Int, x1: Int, y1: Int, color: RGBColor, alpha: Double = 1) {
        let xa = max(x0, 0), xb = min(x1, width), ya = max(y0, 0), yb = min(y1, height)
        guard xa < xb, ya < yb else { return }
        let blend = Blend(color: color, alpha: alpha)
        let w = width
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in ya..<yb {
                for x in xa..<xb { blend.apply(p.baseAddress! + 3 * (y * w + x)) }
            }
        }
    }

    /// The outline of the rectangle whose edges lie on columns `x0`, `x1` and rows `y0`, `y1`,
    /// `thickness` pixels wide and centred on those edges. Each pixel is blended once, also
    /// where the bands meet, and only the part inside the image is drawn.
    public mutating func strokeRect(x0: Int, y0: Int, x1: Int, y1: Int, thickness: Int,
                                    color: RGBColor, alpha: Double = 1) {
        let t = max(thickness, 1), lo = (t - 1) / 2
        let left = min(x0, x1) - lo, right = max(x0, x1) - lo + t - 1      // outer columns, inclusive
        let top = min(y0, y1) - lo, bottom = max(y0, y1) - lo + t - 1       // outer rows, inclusive
        let innerLeft = left + t, innerRight = right - t                   // first/last column inside
        let innerTop = top + t, innerBottom = bottom - t
        let ya = max(top, 0), yb = min(bottom, height - 1)
        guard ya <= yb, max(left, 0) <= min(right, width - 1) else { return }
        let blend = Blend(color: color, alpha: alpha)
        let w = width
        image.pixels.withUnsafeMutableBufferPointer { p in
            func span(_ y: Int, _ a: Int, _ b: Int) {
                let xa = max(a, 0), xb = min(b, w - 1)
                if xa <= xb { for x in xa...xb { blend.apply(p.baseAddress! + 3 * (y * w + x)) } }
            }
            for y in ya...yb {
                if y < innerTop || y > innerBottom || innerLeft > innerRight {
                    span(y, left, right)
                } else {
                    span(y, left, innerLeft - 1)
                    span(y, innerRight + 1, right)
                }
            }
        }
    }

    /// Blends `color` where `mask` (row-major, the canvas's height x width, nonzero = set) is set.
    public mutating func blendMask(_ mask: ArraySlice<UInt8>, color: RGBColor, alpha: Double) {
        checkInvariant(mask.count == width * height,
                     "Canvas.blendMask: \(mask.count) mask bytes for a \(height)x\(width) image")
        let blend = Blend(color: color, alpha: alpha)
        let n = width * height
        mask.withUnsafeBufferPointer { m in
            image.pixels.withUnsafeMutableBufferPointer { p in
                for i in 0..<n where m[i] != 0 { blend.apply(p.baseAddress! + 3 * i) }
            }
        }
    }

    /// A straight line between two points (rounded to pixels; Bresenham), drawn with a square
    /// pen `thickness` pixels wide, clipped to the image.
    public mutating func drawLine(from a: (x: Double, y: Double), to b: (x: Double, y: Double),
                                  color: RGBColor, thickness: Int = 1) {
        guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return }
        let limit = Double(4 * max(width, height) + 16)
        func clampInt(_ v: Double) -> Int { Int(min(max(v, -limit), limit).rounded()) }
        var x = clampInt(a.x), y = clampInt(a.y)
        let xe = clampInt(b.x), ye = clampInt(b.y)
        let dx = abs(xe - x), dy = -abs(ye - y), sx = x < xe ? 1 : -1, sy = y < ye ? 1 : -1
        var err = dx + dy
        let t = max(thickness, 1), lo = (t - 1) / 2
        let w = width, h = height
        image.pixels.withUnsafeMutableBufferPointer { p in
            while true {
                for yy in (y - lo)..<(y - lo + t) where yy >= 0 && yy < h {
                    for xx in (x - lo)..<(x - lo + t) where xx >= 0 && xx < w {
                        let o = 3 * (yy * w + xx)
                        p[o] = color.b; p[o + 1] = color.g; p[o + 2] = color.r
                    }
                }
                if x == xe && y == ye { break }
                let e2 = 2 * err
                if e2 >= dy { err += dy; x += sx }
                if e2 <= dx { err += dx; y += sy }
            }
        }
    }

    /// Sets a `gw` x `gh` bit pattern, each bit a `scale` x `scale` block, with its top-left
    /// corner at (x, y); blocks outside the image are skipped.
    mutating func stamp(_ bits: (Int, Int) -> Bool, x: Int, y: Int, width gw: Int, height gh: Int,
                        scale: Int, color: RGBColor) {
        let w = width, h = height
        image.pixels.withUnsafeMutableBufferPointer { p in
            for row in 0..<gh {
                for col in 0..<gw where bits(row, col) {
                    for yy in (y + row * scale)..<(y + (row + 1) * scale) where yy >= 0 && yy < h {
                        for xx in (x + col * scale)..<(x + (col + 1) * scale) where xx >= 0 && xx < w {
                            let o = 3 * (yy * w + xx)
                            p[o] = color.b; p[o + 1] = color.g; p[o + 2] = color.r
                        }
                    }
                }
            }
        }
    }
}

/// `round(dst * (1 - alpha) + colour * alpha)` per channel, as cv2.addWeighted (round half
/// to even, saturated) computes it.
struct Blend {
    let bgr: (Float, Float, Float)
    let alpha: Float
    let keep: Float

    /// Weights as OpenCV gets them from Python: `alpha` and `1 - alpha` in double, then float.
    init(color: RGBColor, alpha: Double) {
        let a = min(max(alpha, 0), 1)
        self.alpha = Float(a)
        self.keep = Float(1 - a)
        self.bgr = (Float(color.b) * self.alpha, Float(color.g) * self.alpha, Float(color.r) * self.alpha)
    }

    @inline(__always) func apply(_ p: UnsafeMutablePointer<UInt8>) {
        p[0] = Blend.byte(Float(p[0]) * keep + bgr.0)
        p[1] = Blend.byte(Float(p[1]) * keep + bgr.1)
        p[2] = Blend.byte(Float(p[2]) * keep + bgr.2)
    }

    @inline(__always) static func byte(_ v: Float) -> UInt8 {
        UInt8(min(max(v.rounded(.toNearestOrEven), 0), 255))
    }
}
