import Config
import Kernels
import Structures

/// mmdetection's `Resize`: the image by OpenCV bilinear (bit-exact, `ImageResize`), boxes
/// scaled by `scale_factor` and clipped to the new shape, masks by OpenCV nearest. With
/// `keep_ratio` the size follows mmcv's `rescale_size` (reference §4 "Data geometry"):
/// `f = min(long_edge / max(h, w), short_edge / min(h, w))`, new size
/// `int(w * f + 0.5) x int(h * f + 0.5)`; without it the image is stretched to `scale`.
public struct Resize: Transform {
    public enum Target: Sendable, Equatable {
        /// (width, height) as mmdetection writes `scale`.
        case scale(width: Int, height: Int)
        /// (w, h) factors applied to the image's own size.
        case factor(Double, Double)
    }

    public let target: Target
    public let keepRatio: Bool
    public let clipObjectBorder: Bool
    /// The largest `scale` side, and the largest side of a resized image.
    public static let largestSide = 16384
    /// Allowed `scale_factor`s.
    static let factors = 1e-3...64.0
    public let nearest: Bool

    public init(target: Target, keepRatio: Bool, clipObjectBorder: Bool = true, nearest: Bool = false) {
        self.target = target
        self.keepRatio = keepRatio
        self.clipObjectBorder = clipObjectBorder
        self.nearest = nearest
    }

    public init(config c: ConfigView) throws {
        try c.accept(["scale", "scale_factor", "keep_ratio", "clip_object_border", "backend", "interpolation"])
        let hasScale = !(c.value("scale")?.isNone ?? true), hasFactor = !(c.value("scale_factor")?.isNone ?? true)
        guard hasScale != hasFactor else { throw c.error(nil, "Resize needs exactly one of 'scale' and 'scale_factor'") }
        let target: Target
        if hasScale {
            if c.value("scale")?.intValue != nil {
                let s = try c.int("scale", in: 1...Self.largestSide, why: "a side in pixels")
                target = .scale(width: s, height: s)
            } else {
                let s = try c.ints("scale", in: 1...Self.largestSide, count: 2...2, why: "(width, height) in pixels")
                target = .scale(width: s[0], height: s[1])
            }
        } else if c.value("scale_factor")?.doubleValue != nil {
            let f = try c.double("scale_factor", in: Self.factors)
            target = .factor(f, f)
        } else {
            let f = try c.doubles("scale_factor", in: Self.factors, count: 2...2, why: "a number or (w, h)")
            target = .factor(f[0], f[1])
        }
        if try c.string("backend", default: "cv2") != "cv2" { throw c.error("backend", "only 'cv2' is supported") }
        let interpolation = try c.string("interpolation", default: "bilinear")
        guard interpolation == "bilinear" || interpolation == "nearest" else {
            throw c.error("interpolation", "only 'bilinear' and 'nearest' are supported, got '\(interpolation)'")
        }
        self.init(target: target, keepRatio: try c.bool("keep_ratio", default: false),
                  clipObjectBorder: try c.bool("clip_object_border", default: true), nearest: interpolation == "nearest")
    }

    /// mmcv `rescale_size`: the (width, height) that fits (w, h) into the scale's long and
    /// short edges, keeping the aspect ratio.
    public static func rescaledSize(width w: Int, height h: Int, scale: (width: Int, height: Int)) -> (width: Int, height: Int) {
        let long = Double(max(scale.width, scale.height)), short = Double(min(scale.width, scale.height))
        let f = min(long / Double(max(h, w)), short / Double(min(h, w)))
        return (Int(Double(w) * f + 0.5), Int(Double(h) * f + 0.5))
    }

    /// The output (width, height) for an image of (w, h).
    public func outputSize(width w: Int, height h: Int) -> (width: Int, height: Int) {
        let scale: (width: Int, height: Int)
        switch target {
        case .scale(let sw, let sh): scale = (sw, sh)
        case .factor(let fw, let fh): scale = (Int(Double(w) * fw + 0.5), Int(Double(h) * fh + 0.5))
        }
        return keepRatio ? Self.rescaledSize(width: w, height: h, scale: scale) : scale
    }

    public func apply(_ results: inout PipelineResults, rng: inout SeededGenerator) throws {
        guard let img = results.img else { throw DatasetError.pipeline("Resize needs an image (LoadImageFromFile first)") }
        let (nw, nh) = outputSize(width: img.width, height: img.height)
        guard nw > 0, nh > 0 else {
            throw DatasetError.pipeline("Resize of \(results.info.imgPath) (\(img.width)x\(img.height)) gives an empty image")
        }
        guard nw <= Self.largestSide, nh <= Self.largestSide else {
            throw DatasetError.pipeline("Resize of \(results.info.imgPath) (\(img.width)x\(img.height)) gives \(nw)x\(nh): "
                                        + "more than \(Self.largestSide) pixels a side")
        }
        let resized = nearest ? ImageResize.nearest(img, height: nh, width: nw) : ImageResize.linear(img, height: nh, width: nw)
        let sx = Double(nw) / Double(img.width), sy = Double(nh) / Double(img.height)
        results.img = resized
        results.imgShape = [nh, nw]
        results.scaleFactor = (sx, sy)
        results.keepRatio = keepRatio
        if case .scale(let w, let h) = target { results.scale = (w, h) } else { results.scale = (nw, nh) }
        if var boxes = results.gtBboxes {
            boxes = boxes.rescaled(x: Float(sx), y: Float(sy))
            results.gtBboxes = clipObjectBorder ? boxes.clipped(height: nh, width: nw) : boxes
        }
        switch results.gtMasks {
        case .bitmap(let m): results.gtMasks = .bitmap(m.resized(height: nh, width: nw))
        case .polygon(let m): results.gtMasks = .polygon(m.resized(height: nh, width: nw))
        case nil: break
        }
    }
}
