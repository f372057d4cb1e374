import Foundation

/// One row of mmdetection's `CocoMetric(classwise=True)` table: the category's AP over all
/// IoU thresholds, at the first and sixth threshold (0.50, 0.75), per area range, and its
/// AR@100; each the mean of the entries > -1 (-1 where there are none; the table prints nan).
public struct CategoryAP: Hashable, Sendable {
    public var categoryId: Int
    public var name: String
    public var ap: Double
    public var ap50: Double
    public var ap75: Double
    public var apSmall: Double
    public var apMedium: Double
    public var apLarge: Double
    public var ar100: Double
}

extension CocoAccumulation {
    /// Per-category rows as mmdetection computes them (area index 0, the last maxDets).
    public func perCategory(names: [Int: String] = [:]) -> [CategoryAP] {
        let m = shape.maxDetections - 1
        return categoryIds.enumerated().map { k, id in
            CategoryAP(
                categoryId: id, name: names[id] ?? "\(id)",
                ap: meanPrecision(k: k, thresholds: 0..<shape.thresholds, area: 0, m: m),
                ap50: meanPrecision(k: k, thresholds: 0..<min(1, shape.thresholds), area: 0, m: m),
                ap75: meanPrecision(k: k, thresholds: shape.thresholds > 5 ? 5..<6 : 0..<0, area: 0, m: m),
                apSmall: meanPrecision(k: k, thresholds: 0..<shape.thresholds, area: 1, m: m),
                apMedium: meanPrecision(k: k, thresholds: 0..<shape.thresholds, area: 2, m: m),
                apLarge: meanPrecision(k: k, thresholds: 0..<shape.thresholds, area: 3, m: m),
                ar100: meanRecall(k: k, m: m))
        }
    }

    private func meanPrecision(k: Int, thresholds: Range<Int>, area: Int, m: Int) -> Double {
        guard area < shape.areas, m >= 0 else { return -1 }
        var values: [Double] = []
        for t in thresholds {
            for r in 0..<shape.recalls {
                let v = precision(t: t, r: r, k: k, a: area, m: m)
                if v > -1 { values.append(v) }
            }
        }
        return values.isEmpty ? -1 : NumpySum.pairwise(values) / Double(values.count)
    }

    private func meanRecall(k: Int, m: Int) -> Double {
        guard shape.areas > 0, m >= 0 else { return -1 }
        let values = (0..<shape.thresholds).map { recall(t: $0, k: k, a: 0, m: m) }.filter { $0 > -1 }
        return values.isEmpty ? -1 : NumpySum.pairwise(values) / Double(values.count)
    }
}

/// mmdetection's classwise table (terminaltables `AsciiTable`), values as `round(x, 3)`
/// prints them (`nan` for a category without ground truth).
public enum ClasswiseTable {
    public static func render(_ rows: [CategoryAP]) -> String {
        let header = ["category", "mAP", "mAP_50", "mAP_75", "mAP_s", "mAP_m", "mAP_l"]
        let body = rows.map { row in
            [row.name] + [row.ap, row.ap50, row.ap75, row.apSmall, row.apMedium, row.apLarge].map(rounded3)
        }
        let table = [header] + body
        let widths = header.indices.map { c in table.map { $0[c].count }.max() ?? 0 }
        let border = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        func line(_ cells: [String]) -> String {
            "|" + cells.enumerated().map { c, cell in
                " " + cell + String(repeating: " ", count: widths[c] - cell.count) + " "
            }.joined(separator: "|") + "|"
        }
        return ([border, line(header), border] + body.map(line) + [border]).joined(separator: "\n")
    }

    /// `f'{round(x, 3)}'` of a numpy float64 as mmdetection prints it: numpy rounds as
    /// `rint(x * 1000) / 1000`, and the result prints in shortest round-trip form.
    static func rounded3(_ x: Double) -> String {
        if x < 0 || x.isNaN { return "nan" }
        return "\((x * 1000).rounded(.toNearestOrEven) / 1000)"
    }
}
