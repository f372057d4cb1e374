import Autograd
import Config
import Foundation

/// mmdetection's `AnchorGenerator`: per level, base anchors for every (ratio, scale) centred at
/// `centerOffset * stride`, shifted to every feature-map cell; flat index (y W + x) A + a.
/// Computed in float32 in mmdetection's operation order, so anchors are bitwise equal.
public struct AnchorGenerator: Sendable {
    public var strides: [Int]
    public var ratios: [Float]
    public var scales: [Float]
    public var baseSizes: [Int]
    public var centerOffset: Float = 0
    public var scaleMajor = true

    public init(strides: [Int], ratios: [Float], scales: [Float], baseSizes: [Int]? = nil, centerOffset: Float = 0, scaleMajor: Bool = true) {
        self.strides = strides
        self.ratios = ratios
        self.scales = scales
        self.baseSizes = baseSizes ?? strides
        self.centerOffset = centerOffset
        self.scaleMajor = scaleMajor
    }

    public var numBaseAnchors: Int { ratios.count * scales.count }
    public var numLevels: Int { strides.count }

    /// Base anchors (A, 4) of a level, as x1, y1, x2, y2 around the cell's origin.
    public func baseAnchors(level: Int) -> [Float] {
        let base = Float(baseSizes[level])
        let center = centerOffset * base
        var out: [Float] = []
        let hRatios = ratios.map { $0.squareRoot() }
        let wRatios = hRatios.map { 1 / $0 }
        // scale_major: ratio-major order (w * w_ratios[:, None] * scales[None, :]).
        let pairs: [(Int, Int)] = scaleMajor
            ? ratios.indices.flatMap { r in scales.indices.map { (r, $0) } }
            : scales.indices.flatMap { s in ratios.indices.map { ($0, s) } }
        for (r, s) in pairs {
            let w = scaleMajor ? base * wRatios[r] * scales[s] : base * scales[s] * wRatios[r]
            let h = scaleMajor ? base * hRatios[r] * scales[s] : base * scales[s] * hRatios[r]
            out += [center - 0.5 * w, center - 0.5 * h, center + 0.5 * w, center + 0.5 * h]
        }
        return out
    }

    /// All anchors (H W A, 4) of a level with feature map size (h, w).
    public func anchors(level: Int, featmapSize: (h: Int, w: Int)) -> Tensor {
        let base = baseAnchors(level: level)
        let a = numBaseAnchors
        let stride = Float(strides[level])
        var out = [Float](repeating: 0, count: featmapSize.h * featmapSize.w * a * 4)
        var k = 0
        for y in 0..<featmapSize.h {
            let sy = Float(y) * stride
            for x in 0..<featmapSize.w {
                let sx = Float(x) * stride
                for i in 0..<a {
                    out[k] = base[4 * i] + sx
                    out[k + 1] = base[4 * i + 1] + sy
                    out[k + 2] = base[4 * i + 2] + sx
                    out[k + 3] = base[4 * i + 3] + sy
                    k += 4
                }
            }
        }
        return Tensor(shape: [featmapSize.h * featmapSize.w * a, 4], out)
    }

    /// Which anchors of a level lie on the image's own padded area (`padShape` is the image
    /// rounded up to the size divisor, not the batch): x < ceil(pad_w / stride), likewise y.
    public func validFlags(level: Int, featmapSize: (h: Int, w: Int), padShape: (h: Int, w: Int)) -> [Bool] {
        let s = strides[level]
        let validH = min((padShape.h + s - 1) / s, featmapSize.h)
        let validW = min((padShape.w + s - 1) / s, featmapSize.w)
        var out: [Bool] = []
        out.reserveCapacity(featmapSize.h * featmapSize.w * numBaseAnchors)
        for y in 0..<featmapSize.h {
            for x in 0..<featmapSize.w {
                let v = y < validH && x < validW
                for _ in 0..<numBaseAnchors { out.append(v) }
            }
        }
        return out
    }
}

extension AnchorGenerator {
    /// The most anchors per location a config may ask for (mmdetection's detectors use 1 to 9;
    /// each is a map of the RPN's outputs per level).
    public static let maxPerLocation = 1024

    /// mmdetection's `AnchorGenerator` config (`scales` or octave_base_scale/scales_per_octave).
    public init(config c: ConfigView) throws {
        try c.accept(["type", "strides", "ratios", "scales", "base_sizes", "scale_major", "octave_base_scale",
                      "scales_per_octave", "centers", "center_offset", "use_box_type"])
        let strides = try c.ints("strides", atLeast: 1)
        let ratios = try c.doubles("ratios").map(Float.init)
        var scales: [Float]
        if c.contains("scales") {
            scales = try c.doubles("scales").map(Float.init)
        } else {
            let base = try c.double("octave_base_scale")
            let n = try c.int("scales_per_octave", in: 1...Self.maxPerLocation, why: "anchor scales per location")
            guard base > 0 else { throw c.error("octave_base_scale", "\(base) is not allowed: expected a positive scale") }
            scales = (0..<n).map { Float(pow(2.0, Double($0) / Double(n)) * base) }
        }
        for (key, values) in [("strides", strides.map(Float.init)), ("ratios", ratios), ("scales", scales)] {
            guard !values.isEmpty else { throw c.error(key, "[] is not allowed: expected at least one value") }
            guard values.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw c.error(key, "\(c.value(key).map { "\($0)" } ?? "\(values)") is not allowed: expected positive values")
            }
        }
        guard scales.count * ratios.count <= Self.maxPerLocation else {
            throw c.error(c.contains("scales") ? "scales" : "ratios", "\(scales.count) scales times \(ratios.count) ratios make "
                          + "\(scales.count * ratios.count) anchors per location: at most \(Self.maxPerLocation)")
        }
        if c.contains("centers"), c.value("centers") != ConfigValue.none {
            throw c.error("centers", "explicit anchor centers are not supported")
        }
        let baseSizes = try c.contains("base_sizes") ? c.ints("base_sizes", atLeast: 1) : nil
        if let baseSizes, baseSizes.count != strides.count {
            throw c.error("base_sizes", "needs one entry per stride (\(strides.count)), got \(baseSizes.count)")
        }
        self.init(strides: strides, ratios: ratios, scales: scales, baseSizes: baseSizes,
                  centerOffset: Float(try c.double("center_offset", default: 0, in: 0...1)),
                  scaleMajor: try c.bool("scale_major", default: true))
    }
}
