import Datasets

extension ConfusionMatrix {
    /// matplotlib's 'plasma' colour map (mmdetection's default theme) at nine points.
    static let plasma: [RGBColor] = [
        RGBColor(13, 8, 135), RGBColor(75, 3, 161), RGBColor(125, 3, 168), RGBColor(168, 34, 150), RGBColor(203, 70, 121),
        RGBColor(229, 107, 93), RGBColor(248, 148, 65), RGBColor(253, 195, 40), RGBColor(240, 249, 33),
    ]

    /// The colour of a fraction 0...1 on the plasma map (linear between its points).
    static func plasmaColor(_ t: Double) -> RGBColor {
        let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(plasma.count - 1)
        let i = min(Int(x), plasma.count - 2), f = x - Double(i)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * f).rounded()) }
        let a = plasma[i], b = plasma[i + 1]
        return RGBColor(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b))
    }

    /// The plot mmdetection's `plot_confusion_matrix` draws: row-normalised percentages as
    /// coloured cells (plasma, 0 to 100) with "NN%" in each ("-1%" for a ground-truth class
    /// with no box), class names on the left (ground truth) and above (prediction, turned),
    /// the title "Normalized Confusion Matrix" and a colour bar.
    public func plot() -> ImageU8 {
        let n = labels.count
        let cell = max(24, min(64, 1600 / max(n, 1)))
        let scale = cell >= 40 ? 2 : 1
        let font = BitmapFont.standard
        let nameWidth = labels.map { font.size(of: $0, scale: scale).width }.max() ?? 0
        let glyphHeight = BitmapFont.glyphHeight * scale
        let left = 16 + glyphHeight + 12 + nameWidth + 8          // y-axis title, names
        let top = 16 + 2 * 7 * 2 + 12 + glyphHeight + 8 + nameWidth + 8   // title, x-axis title, names
        let gridSize = n * cell
        let barX = left + gridSize + 24, barWidth = 20
        let width = barX + barWidth + 8 + font.size(of: "100", scale: scale).width + 16
        let height = top + gridSize + 24
        var canvas = Canvas(width: width, height: height, background: .white)

        let title = "Normalized Confusion Matrix"
        canvas.drawText(title, x: left + (gridSize - font.size(of: title, scale: 2).width) / 2, y: 16, scale: 2, color: .black)
        let xTitle = "Prediction Label"
        canvas.drawText(xTitle, x: left + (gridSize - font.size(of: xTitle, scale: scale).width) / 2, y: 16 + 28 + 12,
                        scale: scale, color: .black)
        let yTitle = "Ground Truth Label"
        canvas.drawTextUp(yTitle, x: 16, bottom: top + (gridSize + font.size(of: yTitle, scale: scale).width) / 2,
                          scale: scale, color: .black)
        for (i, name) in labels.enumerated() {
            let w = font.size(of: name, scale: scale).width
            canvas.drawText(name, x: left - 8 - w, y: top + i * cell + (cell - glyphHeight) / 2, scale: scale, color: .black)
            canvas.drawTextUp(name, x: left + i * cell + (cell - glyphHeight) / 2, bottom: top - 8, scale: scale, color: .black)
        }
        for (i, row) in percentages.enumerated() {
            for (j, value) in row.enumerated() {
                let x0 = left + j * cell, y0 = top + i * cell
                let color = Self.plasmaColor((value ?? .nan) / 100)
                canvas.fillRect(x0: x0, y0: y0, x1: x0 + cell, y1: y0 + cell, color: color)
                let text = value.map { "\(Int($0))%" } ?? "-1%"
                let s = font.size(of: text, scale: scale).width <= cell - 4 ? scale : 1
                let size = font.size(of: text, scale: s)
                let bright = Int(color.r) * 299 + Int(color.g) * 587 + Int(color.b) * 114 > 150_000
                canvas.drawText(text, x: x0 + (cell - size.width) / 2, y: y0 + (cell - size.height) / 2, scale: s,
                                color: bright ? .black : .white)
            }
        }
        for k in 0...n {  // grid lines between the cells
            canvas.fillRect(x0: left + k * cell, y0: top, x1: left + k * cell + 1, y1: top + gridSize, color: .white)
            canvas.fillRect(x0: left, y0: top + k * cell, x1: left + gridSize, y1: top + k * cell + 1, color: .white)
        }
        for y in 0..<gridSize {  // colour bar, 100 at the top
            canvas.fillRect(x0: barX, y0: top + y, x1: barX + barWidth, y1: top + y + 1,
                            color: Self.plasmaColor(1 - Double(y) / Double(max(gridSize - 1, 1))))
        }
        for (value, y) in [(100, 0), (50, gridSize / 2), (0, gridSize - glyphHeight)] {
            canvas.drawText("\(value)", x: barX + barWidth + 6, y: top + y, scale: scale, color: .black)
        }
        return canvas.image
    }
}
