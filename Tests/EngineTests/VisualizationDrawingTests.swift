import Datasets
import Engine
import Kernels
import Structures
import Testing

/// Pixel checks of Canvas, BitmapFont and DetectionDrawer against hand-computed values.
@Suite struct VisualizationDrawingTests {
    static let base = RGBColor(100, 100, 100)
    static let red = RGBColor(255, 0, 0)

    @Test func strokeRectDrawsCentredBandsAndLeavesInteriorAlone() {
        var c = Canvas(width: 40, height: 30, background: Self.base)
        c.strokeRect(x0: 10, y0: 8, x1: 30, y1: 20, thickness: 3, color: Self.red)
        // Edges on columns 10 and 30, rows 8 and 20, three pixels wide: 9...11, 29...31, 7...9, 19...21.
        for (x, y) in [(9, 14), (10, 14), (11, 14), (29, 14), (31, 14), (20, 7), (20, 9), (20, 19), (20, 21), (9, 7), (31, 21)] {
            #expect(c.pixel(x: x, y: y) == Self.red, "edge pixel (\(x), \(y))")
        }
        for (x, y) in [(12, 10), (28, 18), (20, 14), (8, 14), (32, 14), (20, 6), (20, 22), (8, 6)] {
            #expect(c.pixel(x: x, y: y) == Self.base, "pixel (\(x), \(y)) should be untouched")
        }
    }

    @Test func translucentOutlineBlendsEachPixelOnceAlsoAtCorners() {
        var c = Canvas(width: 20, height: 20, background: Self.base)
        c.strokeRect(x0: 5, y0: 5, x1: 14, y1: 14, thickness: 3, color: Self.red, alpha: 0.8)
        // round(100 * 0.2 + 255 * 0.8) = 224, round(100 * 0.2 + 0 * 0.8) = 20
        let blended = RGBColor(224, 20, 20)
        #expect(c.pixel(x: 4, y: 9) == blended)
        #expect(c.pixel(x: 4, y: 4) == blended)   // corner: top band and left band meet
        #expect(c.pixel(x: 15, y: 15) == blended)
        #expect(c.pixel(x: 7, y: 7) == Self.base)
    }

    @Test func maskBlendMatchesHandComputedAddWeighted() {
        var c = Canvas(width: 3, height: 2, background: RGBColor(150, 100, 50))
        let mask: [UInt8] = [0, 1, 0,
                             0, 0, 255]
        c.blendMask(mask[...], color: RGBColor(10, 200, 255), alpha: 0.8)
        // R: 150 * 0.2 + 10 * 0.8 = 38; G: 100 * 0.2 + 200 * 0.8 = 180; B: 50 * 0.2 + 255 * 0.8 = 214
        #expect(c.pixel(x: 1, y: 0) == RGBColor(38, 180, 214))
        #expect(c.pixel(x: 2, y: 1) == RGBColor(38, 180, 214))
        #expect(c.pixel(x: 0, y: 0) == RGBColor(150, 100, 50))
        #expect(c.pixel(x: 1, y: 1) == RGBColor(150, 100, 50))
    }

    @Test func blendRoundsHalfToEvenAsOpenCV() {
        var c = Canvas(width: 1, height: 1, background: RGBColor(2, 3, 1))
        c.fillRect(x0: 0, y0: 0, x1: 1, y1: 1, color: RGBColor(3, 4, 2), alpha: 0.5)
        #expect(c.pixel(x: 0, y: 0) == RGBColor(2, 4, 2))  // 2.5 -> 2, 3.5 -> 4, 1.5 -> 2
    }

    @Test func glyphPixelsLandWhereTheFontSays() {
        var c = Canvas(width: 20, height: 20, background: .black)
        c.drawText("A", x: 2, y: 3, scale: 2, color: .white)
        // 'A' row 0 is ".###.", row 3 "#####": each font pixel a 2x2 block.
        #expect(c.pixel(x: 2, y: 3) == .black)
        #expect(c.pixel(x: 4, y: 3) == .white && c.pixel(x: 5, y: 4) == .white)
        for x in 2..<12 { #expect(c.pixel(x: x, y: 9) == .white) }
        #expect(c.pixel(x: 6, y: 11) == .black)  // row 4 "#...#": middle clear
        var lit = 0
        for y in 0..<20 { for x in 0..<20 where c.pixel(x: x, y: y) == .white { lit += 1 } }
        #expect(lit == 18 * 4)  // 18 set bits in 'A'
    }

    @Test func fontHas95DistinctGlyphsAndBlankSpace() {
        let font = BitmapFont.standard
        var seen = Set<[Bool]>()
        for code in 32...126 {
            let s = Unicode.Scalar(UInt8(code))
            let bits = (0..<35).map { font.isSet(s, row: $0 / 5, column: $0 % 5) }
            #expect(code != 32 || !bits.contains(true))
            #expect(code == 32 || bits.contains(true), "glyph \(code) is empty")
            seen.insert(bits)
        }
        #expect(seen.count == 95)
        #expect(font.size(of: "ab", scale: 3) == (width: 33, height: 21))
    }

    @Test func clippingDrawsTheVisiblePartOnly() {
        var c = Canvas(width: 40, height: 30, background: Self.base)
        c.strokeRect(x0: -10, y0: -5, x1: 30, y1: 20, thickness: 3, color: Self.red)
        #expect(c.pixel(x: 0, y: 20) == Self.red)     // bottom edge, from the left border
        #expect(c.pixel(x: 30, y: 0) == Self.red)     // right edge, up to the top border
        #expect(c.pixel(x: 0, y: 0) == Self.base)     // inside the box
        c.strokeRect(x0: 100, y0: 100, x1: 200, y1: 200, thickness: 5, color: Self.red)
        c.drawLine(from: (-50, 10), to: (1e9, 10), color: .black)
        #expect(c.pixel(x: 0, y: 10) == .black && c.pixel(x: 39, y: 10) == .black)
        c.drawText("WWW", x: 35, y: 22, color: .white)      // 'W' row 0 is "#...#"
        #expect(c.pixel(x: 35, y: 22) == .white && c.pixel(x: 39, y: 22) == .white)
        c.drawText("AB", x: -6, y: -2, color: .white)       // only 'B' (row 2 "#...#") shows
        #expect(c.pixel(x: 0, y: 0) == .white && c.pixel(x: 4, y: 0) == .white && c.pixel(x: 1, y: 0) != .white)
    }

    @Test func drawerDrawsBoxesLabelsAndMasksAboveTheThreshold() {
        let image = Canvas(width: 100, height: 80, background: Self.base).image
        let drawer = DetectionDrawer(classNames: ["cat", "dog"])
        var mask = [UInt8](repeating: 0, count: 2 * 80 * 100)
        for y in 30..<50 { for x in 30..<60 { mask[y * 100 + x] = 1 } }
        let out = Canvas(image: drawer.draw(
            on: image, boxes: HorizontalBoxes([20, 15, 70, 60, 75, 65, 95, 78]), labels: [1, 0], scores: [0.93, 0.2],
            masks: BitmapMasks(height: 80, width: 100, data: mask)))
        #expect(drawer.labelText(label: 1, score: 0.93) == "dog: 93.0")
        #expect(drawer.labelText(label: 7, score: nil) == "class 7")
        let dog = Palette().color(for: 1)
        func mix(_ c: UInt8, _ base: UInt8) -> UInt8 { UInt8((Double(base) * 0.2 + Double(c) * 0.8).rounded(.toNearestOrEven)) }
        let edge = RGBColor(mix(dog.r, 100), mix(dog.g, 100), mix(dog.b, 100))
        #expect(out.pixel(x: 20, y: 40) == edge && out.pixel(x: 70, y: 40) == edge)
        // Mask: the class colour jittered for the instance, alpha 0.8, outlined in white.
        let jittered = drawer.maskColors(labels: [1])[0]
        #expect(jittered != dog)
        let fill = RGBColor(mix(jittered.r, 100), mix(jittered.g, 100), mix(jittered.b, 100))
        #expect(out.pixel(x: 45, y: 40) == fill)
        #expect(out.pixel(x: 30, y: 40) == RGBColor(mix(255, fill.r), mix(255, fill.g), mix(255, fill.b)))  // contour
        // Label at (23, 18): black box at alpha 0.8 (100 -> 20), text in (200, 200, 200) from (24, 19).
        #expect(out.pixel(x: 23, y: 18) == RGBColor(20, 20, 20))
        #expect(out.pixel(x: 24 + 4, y: 19) == .lightGray)     // 'd' row 0 is "....#"
        #expect(out.pixel(x: 24, y: 19) == RGBColor(20, 20, 20))
        #expect(out.pixel(x: 85, y: 65) == Self.base && out.pixel(x: 75, y: 70) == Self.base)  // score 0.2: not drawn
    }

    @Test func drawerLabelStaysInsideWhenTheBoxStartsOutside() {
        let image = Canvas(width: 60, height: 40, background: Self.base).image
        let drawer = DetectionDrawer(classNames: ["x"])
        let out = Canvas(image: drawer.draw(on: image, boxes: HorizontalBoxes([-30, -20, 50, 30]), labels: [0]))
        #expect(out.pixel(x: 0, y: 0) == RGBColor(20, 20, 20))   // label box moved to the corner
        #expect(out.pixel(x: 1, y: 1) == RGBColor(20, 20, 20))   // 'x' rows 0-1 are blank
        #expect(out.pixel(x: 1, y: 3) == .lightGray)              // 'x' row 2 is "#...#"
    }

    /// mmdetection's jitter_color, computed here from the same three uniforms: a unit vector
    /// r, c + (r - 0.5) * 0.5 * 255, clipped, truncated. Instances of one class differ; the
    /// picture is the same on every run.
    @Test func maskColoursAreJitteredPerInstance() {
        let drawer = DetectionDrawer(classNames: ["a", "b"])
        let colors = drawer.maskColors(labels: [0, 0, 0, 1])
        #expect(Set(colors).count == 4 && colors == drawer.maskColors(labels: [0, 0, 0, 1]))
        var rng = SeededGenerator(seed: 42)
        for (i, label) in [0, 0, 0, 1].enumerated() {
            let base = Palette().color(for: label)
            let r = (0..<3).map { _ in Double(rng.nextUniform()) }
            let n = (r.map { $0 * $0 }.reduce(0, +)).squareRoot()
            let expected = zip([base.r, base.g, base.b], r).map { c, x in
                UInt8(min(max(Double(c) + (x / n - 0.5) * 127.5, 0), 255))
            }
            #expect([colors[i].r, colors[i].g, colors[i].b] == expected, "instance \(i)")
            let shift = zip([base.r, base.g, base.b], expected).map { abs(Int($0) - Int($1)) }
            #expect(shift.allSatisfy { $0 <= 64 })
        }
        var plain = DetectionDrawer.Style()
        plain.maskJitterSeed = nil
        #expect(DetectionDrawer(classNames: ["a"], style: plain).maskColors(labels: [0, 0]) == [Palette().color(for: 0), Palette().color(for: 0)])
    }

    /// A dataset's metainfo.palette colours its labels; labels past it get generated colours.
    @Test func givenPaletteComesFirst() {
        let palette = Palette(dataset: [[220, 20, 60], [0, 0, 142]])
        #expect(palette.color(for: 0) == RGBColor(220, 20, 60) && palette.color(for: 1) == RGBColor(0, 0, 142))
        #expect(palette.color(for: 2) == Palette().color(for: 2))
    }

    /// Labels of small boxes are drawn at scale 2 on photos (short side 400 or more), large
    /// boxes (30000 square pixels, mmdetection's 13 pt) at 2, or 3 on images of 1000 and more.
    @Test func labelScaleFollowsBoxAndImage() {
        #expect(DetectionDrawer.adaptiveScale(area: 29_999, imageHeight: 300, imageWidth: 500) == 1)
        #expect(DetectionDrawer.adaptiveScale(area: 29_999, imageHeight: 600, imageWidth: 800) == 2)
        #expect(DetectionDrawer.adaptiveScale(area: 30_000, imageHeight: 300, imageWidth: 500) == 2)
        #expect(DetectionDrawer.adaptiveScale(area: 30_000, imageHeight: 1000, imageWidth: 1500) == 3)
    }

    @Test func paletteIsDeterministicAndDistinct() {
        #expect(Palette().color(for: 3) == Palette().color(for: 3))
        #expect(Set(Palette().colors(count: 80)).count == 80)
        #expect(RGBColor.hsv(0, 1, 1) == RGBColor(255, 0, 0) && RGBColor.hsv(2.0 / 3, 1, 1) == RGBColor(0, 0, 255))
    }
}
