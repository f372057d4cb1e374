/// A colour as red, green, blue bytes. Images here are BGR (OpenCV's order, as Datasets
/// decodes them); `Canvas` swaps the channels when it writes a colour.
public struct RGBColor: Sendable, Equatable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    public static let black = RGBColor(0, 0, 0)
    public static let white = RGBColor(255, 255, 255)
    /// mmdetection's default label text colour (DetLocalVisualizer `text_color`).
    public static let lightGray = RGBColor(200, 200, 200)
    public static let gray = RGBColor(128, 128, 128)

    /// The colour of hue `h` in [0, 1), saturation `s` and value `v` in [0, 1].
    public static func hsv(_ h: Double, _ s: Double, _ v: Double) -> RGBColor {
        let h6 = (h - h.rounded(.down)) * 6
        let sector = Int(h6.rounded(.down)) % 6
        let f = h6 - h6.rounded(.down)
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let (r, g, b): (Double, Double, Double)
        switch sector {
        case 0: (r, g, b) = (v, t, p)
        case 1: (r, g, b) = (q, v, p)
        case 2: (r, g, b) = (p, v, t)
        case 3: (r, g, b) = (p, q, v)
        case 4: (r, g, b) = (t, p, v)
        default: (r, g, b) = (v, p, q)
        }
        func byte(_ x: Double) -> UInt8 { UInt8(max(0, min(255, (x * 255).rounded()))) }
        return RGBColor(byte(r), byte(g), byte(b))
    }
}

/// One colour per class index, the same on every run: the dataset's own colours when its
/// config gives `metainfo.palette`, else hues spaced by the golden ratio (so neighbouring
/// classes differ strongly), with saturation and value cycling over three levels. Plays the
/// role of mmdetection's dataset `palette` / `get_palette`.
public struct Palette: Sendable {
    /// Given colours for the first labels (`metainfo.palette`); later labels are generated.
    public var given: [RGBColor]

    public init(given: [RGBColor] = []) { self.given = given }

    /// A dataset's palette: its `metainfo.palette`, if any.
    public init(dataset palette: [[UInt8]]?) {
        self.init(given: (palette ?? []).map { RGBColor($0[0], $0[1], $0[2]) })
    }

    /// The colour of class `label` (any non-negative index).
    public func color(for label: Int) -> RGBColor {
        if given.indices.contains(label) { return given[label] }
        let n = max(label, 0)
        let hue = (0.07 + Double(n) * 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1)
        let levels: [(s: Double, v: Double)] = [(0.85, 0.95), (0.65, 0.80), (0.95, 0.70)]
        let level = levels[(n / 7) % levels.count]
        return .hsv(hue, level.s, level.v)
    }

    /// The colours of classes 0..<count.
    public func colors(count: Int) -> [RGBColor] { (0..<max(count, 0)).map(color(for:)) }
}
