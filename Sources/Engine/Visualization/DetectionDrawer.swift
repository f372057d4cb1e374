import Datasets
import Foundation
import Structures
import Kernels

/// Draws detections or ground truth on an image in the manner of mmdetection's
/// `DetLocalVisualizer._draw_instances`: box outlines in the class colour (line width 3,
/// alpha 0.8), each instance's mask blended with alpha 0.8 in the class colour jittered for
/// that instance (`jitter_color`, so that touching objects of one class stay apart) and
/// outlined in white, and a label "name" or "name: 93.2" (score in percent, one decimal) in
/// light gray on a black box (alpha 0.8) just inside the box's top-left corner. Predictions at
/// or below the score threshold are left out, as `pred_score_thr` does. Differences, on
/// purpose: masks are laid down before boxes and labels, and labels go on in rising score
/// order, so that the best detections' labels stay readable; the jitter comes from a seeded
/// generator (mmdetection's from numpy's unseeded one), so a picture is the same on every run;
/// labels on small boxes are drawn at twice the pixel font's size on images of 400 pixels
/// and more (mmdetection's 6 pt is about 8 pixels high).
public struct DetectionDrawer: Sendable {
    /// Colours, widths and opacities.
    public struct Style: Sendable {
        public var lineWidth: Int = 3
        public var boxAlpha: Double = 0.8
        public var maskAlpha: Double = 0.8
        public var maskContours: Bool = true
        public var textColor: RGBColor = .lightGray
        public var labelBackground: RGBColor = .black
        public var labelBackgroundAlpha: Double = 0.8
        /// Font scale of labels; nil picks 1 or 2 from the box area (mmdetection's adaptive
        /// font size: 13 * clip(0.5 + (sqrt(area) - sqrt(800)) / (sqrt(30000) - sqrt(800)), 0.5, 1)).
        public var textScale: Int? = nil
        public var palette: Palette = Palette()
        /// Seed of the per-instance mask colour jitter; nil draws masks in the class colour.
        public var maskJitterSeed: UInt64? = 42

        public init() {}
    }

    public var classNames: [String]
    public var scoreThreshold: Float
    public var style: Style

    public init(classNames: [String], scoreThreshold: Float = 0.3, style: Style = Style()) {
        self.classNames = classNames
        self.scoreThreshold = scoreThreshold
        self.style = style
    }

    /// A drawer with a dataset's class names and palette (`metainfo.palette`, if given).
    public init(dataset: any DetectionDataset, scoreThreshold: Float = 0.3) {
        var style = Style()
        style.palette = Palette(dataset: dataset.palette)
        self.init(classNames: dataset.classes, scoreThreshold: scoreThreshold, style: style)
    }

    /// `image` (BGR) with the instances drawn. `boxes` are xyxy in image pixels, one per label;
    /// `scores` (nil for ground truth) one per label; `masks`, if given, one per label and of
    /// the image's size.
    public func draw(on image: ImageU8, boxes: HorizontalBoxes, labels: [Int], scores: [Float]? = nil,
                     masks: BitmapMasks? = nil) -> ImageU8 {
        checkInvariant(boxes.count == labels.count, "DetectionDrawer: \(boxes.count) boxes for \(labels.count) labels")
        checkInvariant(scores == nil || scores!.count == labels.count,
                     "DetectionDrawer: \(scores!.count) scores for \(labels.count) labels")
        if let masks {
            checkInvariant(masks.count == labels.count, "DetectionDrawer: \(masks.count) masks for \(labels.count) labels")
            checkInvariant(masks.height == image.height && masks.width == image.width,
                         "DetectionDrawer: masks \(masks.height)x\(masks.width) for a \(image.height)x\(image.width) image")
        }
        let kept = labels.indices.filter { scores == nil || scores![$0] > scoreThreshold }
        var canvas = Canvas(image: image)
        if let masks {
            let colors = maskColors(labels: kept.map { labels[$0] })
            for (k, i) in kept.enumerated() {
                canvas.blendMask(masks.mask(i), color: colors[k], alpha: style.maskAlpha)
                if style.maskContours { drawContour(masks.mask(i), on: &canvas) }
            }
        }
        for i in kept {
            let b = boxes[i]
            canvas.strokeRect(x0: pixel(b.x1), y0: pixel(b.y1), x1: pixel(b.x2), y1: pixel(b.y2),
                              thickness: style.lineWidth, color: style.palette.color(for: labels[i]),
                              alpha: style.boxAlpha)
        }
        let labelOrder = scores.map { s in kept.sorted { (s[$0], $0) < (s[$1], $1) } } ?? kept
        for i in labelOrder {
            let b = boxes[i]
            let area = Double(max(b.x2 - b.x1, 0)) * Double(max(b.y2 - b.y1, 0))
            let scale = style.textScale ?? Self.adaptiveScale(area: area, imageHeight: image.height, imageWidth: image.width)
            drawLabel(labelText(label: labels[i], score: scores?[i]), x: pixel(b.x1) + style.lineWidth,
                      y: pixel(b.y1) + style.lineWidth, scale: scale, on: &canvas)
        }
        return canvas.image
    }

    /// The mask colour of each instance, in order: its class colour jittered by mmdetection's
    /// `jitter_color` (a random unit vector r in the positive octant, c + (r - 0.5) * 0.5 * 255,
    /// clipped and truncated to bytes), one draw of three uniforms per instance.
    public func maskColors(labels: [Int]) -> [RGBColor] {
        guard let seed = style.maskJitterSeed else { return labels.map(style.palette.color(for:)) }
        var rng = SeededGenerator(seed: seed)
        return labels.map { Self.jittered(style.palette.color(for: $0), rng: &rng) }
    }

    /// mmdetection's `jitter_color` with three uniforms from `rng`.
    public static func jittered(_ color: RGBColor, rng: inout SeededGenerator) -> RGBColor {
        let r = (0..<3).map { _ in Double(rng.nextUniform()) }
        let norm = (r[0] * r[0] + r[1] * r[1] + r[2] * r[2]).squareRoot()
        guard norm > 0 else { return color }
        func shift(_ v: UInt8, _ x: Double) -> UInt8 { UInt8(min(max(Double(v) + (x / norm - 0.5) * 0.5 * 255, 0), 255)) }
        return RGBColor(shift(color.r, r[0]), shift(color.g, r[1]), shift(color.b, r[2]))
    }

    /// "name" or "name: 93.2"; an index without a name reads "class 7".
    public func labelText(label: Int, score: Float?) -> String {
        let name = classNames.indices.contains(label) ? classNames[label] : "class \(label)"
        guard let score else { return name }
        return name + ": " + String(format: "%.1f", (Double(score) * 100 * 10).rounded() / 10)
    }

    /// The pixel font's scale for a label: mmdetection's `_get_adaptive_scales` gives 13 pt to
    /// boxes of 30000 square pixels and more and 6 pt to smaller ones (its floor division makes
    /// it a step). Large boxes get scale 2 (3 on images whose short side is 1000 pixels or more);
    /// small ones scale 1 on images under 400 pixels, else 2, so that they stay readable.
    public static func adaptiveScale(area: Double, imageHeight: Int, imageWidth: Int) -> Int {
        let shortSide = min(imageHeight, imageWidth)
        if area >= 30000 { return shortSide >= 1000 ? 3 : 2 }
        return shortSide >= 400 ? 2 : 1
    }

    /// Text on a filled box whose top-left is (x, y), moved right/down to stay in the image when
    /// the box starts left of or above it; what still falls outside is clipped.
    func drawLabel(_ text: String, x: Int, y: Int, scale: Int, on canvas: inout Canvas) {
        let size = BitmapFont.standard.size(of: text, scale: scale)
        let pad = scale
        let bx = max(x, 0), by = max(y, 0)
        canvas.fillRect(x0: bx, y0: by, x1: bx + size.width + 2 * pad, y1: by + size.height + 2 * pad,
                        color: style.labelBackground, alpha: style.labelBackgroundAlpha)
        canvas.drawText(text, x: bx + pad, y: by + pad, scale: scale, color: style.textColor)
    }

    /// White (alpha `maskAlpha`) on each set pixel that has a clear 4-neighbour or touches the border.
    func drawContour(_ mask: ArraySlice<UInt8>, on canvas: inout Canvas) {
        let w = canvas.width, h = canvas.height
        var edge = [UInt8](repeating: 0, count: w * h)
        mask.withUnsafeBufferPointer { m in
            for y in 0..<h {
                for x in 0..<w where m[y * w + x] != 0 {
                    let inner = x > 0 && x < w - 1 && y > 0 && y < h - 1
                        && m[y * w + x - 1] != 0 && m[y * w + x + 1] != 0
                        && m[(y - 1) * w + x] != 0 && m[(y + 1) * w + x] != 0
                    if !inner { edge[y * w + x] = 1 }
                }
            }
        }
        canvas.blendMask(edge[...], color: .white, alpha: style.maskAlpha)
    }

    /// A coordinate rounded to a pixel index, kept finite and within a sane range.
    private func pixel(_ v: Float) -> Int {
        guard v.isFinite else { return v > 0 ? 1 << 24 : -(1 << 24) }
        return Int(min(max(v, -16_777_216), 16_777_216).rounded())
    }

    /// Two images side by side (ground truth left, prediction right, as `add_datasample`),
    /// the shorter one padded with black at the bottom.
    public static func sideBySide(_ left: ImageU8, _ right: ImageU8) -> ImageU8 {
        checkInvariant(left.channels == right.channels, "sideBySide: \(left.channels) vs \(right.channels) channels")
        let cn = left.channels, h = max(left.height, right.height), w = left.width + right.width
        var out = [UInt8](repeating: 0, count: h * w * cn)
        for y in 0..<h {
            if y < left.height {
                out.replaceSubrange((y * w * cn)..<((y * w + left.width) * cn),
                                    with: left.pixels[(y * left.width * cn)..<((y + 1) * left.width * cn)])
            }
            if y < right.height {
                out.replaceSubrange(((y * w + left.width) * cn)..<((y + 1) * w * cn),
                                    with: right.pixels[(y * right.width * cn)..<((y + 1) * right.width * cn)])
            }
        }
        return ImageU8(height: h, width: w, channels: cn, pixels: out)
    }
}
