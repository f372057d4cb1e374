import Datasets
import Foundation

/// Line plots of training curves (loss per iteration, mAP per epoch), as mmdetection's
/// `tools/analysis_tools/analyze_logs.py plot_curve` draws them with matplotlib: each series
/// a polyline in its own colour, axes with numeric ticks at 1-2-5 steps and a light grid, a
/// legend with the series names, an optional title. Renders a BGR image with `BitmapFont`.
public struct CurvePlot: Sendable {
    /// One named curve; points are drawn in the order given.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var color: RGBColor?

        public init(name: String, points: [(x: Double, y: Double)], color: RGBColor? = nil) {
            self.name = name
            self.points = points
            self.color = color
        }
    }

    public var series: [Series]
    public var width: Int
    public var height: Int
    public var title: String?
    public var xLabel: String
    public var lineWidth: Int = 2

    public init(series: [Series], width: Int = 800, height: Int = 500, title: String? = nil, xLabel: String = "iter") {
        self.series = series
        self.width = width
        self.height = height
        self.title = title
        self.xLabel = xLabel
    }

    /// The colour series `i` is drawn in.
    public func color(ofSeries i: Int) -> RGBColor { series[i].color ?? Palette().color(for: i) }

    /// Where data coordinates land: the plot rectangle and the axis ranges (tick-aligned).
    public func layout() throws -> PlotLayout {
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        guard !points.isEmpty else { throw VisualizationError.invalidPlot(reason: "no finite points in any series") }
        guard width >= 200, height >= 150 else {
            throw VisualizationError.invalidPlot(reason: "image \(width)x\(height) is smaller than 200x150")
        }
        let xs = Axis(lo: points.map(\.x).min()!, hi: points.map(\.x).max()!)
        let ys = Axis(lo: points.map(\.y).min()!, hi: points.map(\.y).max()!)
        let yTickWidth = ys.ticks.map { BitmapFont.standard.size(of: ys.label($0), scale: 1).width }.max() ?? 0
        let left = max(50, yTickWidth + 16), top = title == nil ? 20 : 40
        return PlotLayout(left: left, top: top, right: width - 24, bottom: height - 44, x: xs, y: ys)
    }

    /// The plot as a BGR image of `width` x `height`.
    public func render() throws -> ImageU8 {
        let layout = try layout()
        var canvas = Canvas(width: width, height: height, background: .white)
        drawAxes(layout, on: &canvas)
        for (i, s) in series.enumerated() {
            let color = color(ofSeries: i)
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { layout.point(x: $0.x, y: $0.y) }
            for k in pts.indices.dropFirst() {
                canvas.drawLine(from: pts[k - 1], to: pts[k], color: color, thickness: lineWidth)
            }
            if pts.count <= 60 {  // few points (per-epoch values): mark each one
                for p in pts {
                    let px = Int(p.x.rounded()), py = Int(p.y.rounded())
                    canvas.fillRect(x0: px - 2, y0: py - 2, x1: px + 3, y1: py + 3, color: color)
                }
            }
        }
        drawLegend(layout, on: &canvas)
        if let title {
            let size = BitmapFont.standard.size(of: title, scale: 2)
            canvas.drawText(title, x: (width - size.width) / 2, y: 12, scale: 2, color: .black)
        }
        return canvas.image
    }

    private func drawAxes(_ l: PlotLayout, on canvas: inout Canvas) {
        let grid = RGBColor(225, 225, 225), font = BitmapFont.standard
        for t in l.x.ticks {
            let px = Int(l.point(x: t, y: l.y.lo).x.rounded())
            canvas.drawLine(from: (Double(px), Double(l.top)), to: (Double(px), Double(l.bottom)), color: grid)
            canvas.drawLine(from: (Double(px), Double(l.bottom)), to: (Double(px), Double(l.bottom + 4)), color: .black)
            let text = l.x.label(t), w = font.size(of: text, scale: 1).width
            canvas.drawText(text, x: px - w / 2, y: l.bottom + 8, color: .black)
        }
        for t in l.y.ticks {
            let py = Int(l.point(x: l.x.lo, y: t).y.rounded())
            canvas.drawLine(from: (Double(l.left), Double(py)), to: (Double(l.right), Double(py)), color: grid)
            canvas.drawLine(from: (Double(l.left - 4), Double(py)), to: (Double(l.left), Double(py)), color: .black)
            let text = l.y.label(t), w = font.size(of: text, scale: 1).width
            canvas.drawText(text, x: l.left - 8 - w, y: py - 3, color: .black)
        }
        canvas.strokeRect(x0: l.left, y0: l.top, x1: l.right, y1: l.bottom, thickness: 1, color: .black)
        let w = font.size(of: xLabel, scale: 1).width
        canvas.drawText(xLabel, x: (l.left + l.right - w) / 2, y: l.bottom + 24, color: .black)
    }

    /// Names with a short line in each colour, in a boxed list in the plot corner that hides
    /// the fewest curve pixels (top-right on ties), like matplotlib's `loc='best'`.
    private func drawLegend(_ l: PlotLayout, on canvas: inout Canvas) {
        guard !series.isEmpty else { return }
        let font = BitmapFont.standard, rowHeight = 14, swatch = 20
        let textWidth = series.map { font.size(of: $0.name, scale: 1).width }.max() ?? 0
        let boxW = 8 + swatch + 6 + textWidth + 8, boxH = 6 + rowHeight * series.count + 2
        let corners = [(l.right - 8 - boxW, l.top + 8), (l.left + 8, l.top + 8),
                       (l.right - 8 - boxW, l.bottom - 8 - boxH), (l.left + 8, l.bottom - 8 - boxH)]
        let hidden = corners.map { curvePixels(l, inX: ($0.0 - 4)...($0.0 + boxW + 4), y: ($0.1 - 4)...($0.1 + boxH + 4)) }
        let (x0, y0) = corners[hidden.firstIndex(of: hidden.min()!)!]
        canvas.fillRect(x0: x0, y0: y0, x1: x0 + boxW, y1: y0 + boxH, color: .white, alpha: 0.9)
        canvas.strokeRect(x0: x0, y0: y0, x1: x0 + boxW, y1: y0 + boxH, thickness: 1, color: .gray)
        for (i, s) in series.enumerated() {
            let cy = y0 + 6 + rowHeight * i + 3
            canvas.drawLine(from: (Double(x0 + 8), Double(cy)), to: (Double(x0 + 8 + swatch), Double(cy)),
                            color: color(ofSeries: i), thickness: lineWidth)
            canvas.drawText(s.name, x: x0 + 8 + swatch + 6, y: cy - 3, color: .black)
        }
    }
}

extension CurvePlot {
    /// How many points, sampled every pixel or so along every polyline, fall in the rectangle.
    func curvePixels(_ l: PlotLayout, inX xs: ClosedRange<Int>, y ys: ClosedRange<Int>) -> Int {
        var count = 0
        for s in series {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { l.point(x: $0.x, y: $0.y) }
            for k in pts.indices {
                let a = pts[k], b = k + 1 < pts.count ? pts[k + 1] : pts[k]
                let n = max(Int(max(abs(b.x - a.x), abs(b.y - a.y))), 1)
                for i in 0..<n {
                    let t = Double(i) / Double(n)
                    if xs.contains(Int((a.x + t * (b.x - a.x)).rounded())) && ys.contains(Int((a.y + t * (b.y - a.y)).rounded())) {
                        count += 1
                    }
                }
            }
        }
        return count
    }
}

/// The pixel geometry of a `CurvePlot`: the plot rectangle (edges inclusive) and the data
/// range each axis spans.
public struct PlotLayout: Sendable {
    public let left: Int
    public let top: Int
    public let right: Int
    public let bottom: Int
    public let x: Axis
    public let y: Axis

    /// The pixel position of a data point (x to the right, y up).
    public func point(x dx: Double, y dy: Double) -> (x: Double, y: Double) {
        (Double(left) + (dx - x.lo) / (x.hi - x.lo) * Double(right - left),
         Double(bottom) - (dy - y.lo) / (y.hi - y.lo) * Double(bottom - top))
    }
}

/// An axis range widened to whole ticks of a 1, 2 or 5 x 10^k step (about 4 to 10 ticks).
public struct Axis: Sendable {
    public let lo: Double
    public let hi: Double
    public let step: Double

    /// The axis covering [dataLo, dataHi]; a single value gets a unit-wide range around it.
    public init(lo dataLo: Double, hi dataHi: Double) {
        var a = dataLo, b = dataHi
        if b - a <= abs(a) * 1e-12 {
            let pad = a == 0 ? 1 : abs(a) * 0.1
            a -= pad
            b += pad
        }
        let raw = (b - a) / 6
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        self.step = step
        self.lo = (a / step).rounded(.down) * step
        self.hi = max((b / step).rounded(.up) * step, self.lo + step)
    }

    /// Tick values from lo to hi.
    public var ticks: [Double] {
        let n = Int(((hi - lo) / step).rounded())
        return (0...n).map { lo + Double($0) * step }
    }

    /// A tick value printed with as many decimals as the step needs ("0.025", "1000", "2e-05").
    public func label(_ v: Double) -> String {
        if abs(v) < step * 1e-9 { return "0" }
        let decimals = max(0, -Int(log10(step).rounded(.down)))
        if decimals > 5 || abs(v) >= 1e7 { return String(format: "%.3g", v) }
        return String(format: "%.\(decimals)f", v)
    }
}
