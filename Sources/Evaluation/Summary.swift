import Foundation

/// The 12 standard numbers and the lines pycocotools' `summarize()` prints for them.
public struct CocoSummary: Sendable {
    /// AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl (-1 where empty).
    public let stats: [Double]
    public let lines: [String]
    public var text: String { lines.joined(separator: "\n") }

    public static let statNames = [
        "AP", "AP50", "AP75", "AP_small", "AP_medium", "AP_large",
        "AR1", "AR10", "AR100", "AR_small", "AR_medium", "AR_large",
    ]
}

extension CocoAccumulation {
    /// `COCOeval.summarize()` for bbox/segm: each number is the mean of the entries > -1 of its
    /// slice (numpy's pairwise summation, so the doubles are numpy's), -1 if there are none.
    /// Needs at least 3 maxDets (pycocotools indexes maxDets[0], [1], [2]; the first AP line
    /// always asks for maxDets 100, so it is -1 when 100 is not among them).
    public func summarize() throws -> CocoSummary {
        let maxDets = params.maxDetections
        guard maxDets.count >= 3 else {
            throw EvaluationError(.parameters, "summarize needs 3 maxDets (it reads maxDets[0], [1], [2]); got \(maxDets)")
        }
        let settings: [(ap: Bool, iou: Double?, area: String, maxDet: Int)] = [
            (true, nil, "all", 100), (true, 0.5, "all", maxDets[2]), (true, 0.75, "all", maxDets[2]),
            (true, nil, "small", maxDets[2]), (true, nil, "medium", maxDets[2]), (true, nil, "large", maxDets[2]),
            (false, nil, "all", maxDets[0]), (false, nil, "all", maxDets[1]), (false, nil, "all", maxDets[2]),
            (false, nil, "small", maxDets[2]), (false, nil, "medium", maxDets[2]), (false, nil, "large", maxDets[2]),
        ]
        var stats: [Double] = [], lines: [String] = []
        for s in settings {
            let value = try summarizeOne(ap: s.ap, iouThreshold: s.iou, area: s.area, maxDet: s.maxDet)
            stats.append(value)
            lines.append(line(ap: s.ap, iouThreshold: s.iou, area: s.area, maxDet: s.maxDet, value: value))
        }
        return CocoSummary(stats: stats, lines: lines)
    }

    /// `_summarize`: the slice's entries > -1 in numpy's C order, averaged.
    func summarizeOne(ap: Bool, iouThreshold: Double?, area: String, maxDet: Int) throws -> Double {
        let ts = (0..<shape.thresholds).filter { iouThreshold == nil || params.iouThresholds[$0] == iouThreshold! }
        let pairs = try areaMaxDetPairs(area: area, maxDet: maxDet)
        var values: [Double] = []
        for t in ts {
            if ap {
                for r in 0..<shape.recalls {
                    for k in 0..<shape.categories {
                        for (a, m) in pairs {
                            let v = precision(t: t, r: r, k: k, a: a, m: m)
                            if v > -1 { values.append(v) }
                        }
                    }
                }
            } else {
                for k in 0..<shape.categories {
                    for (a, m) in pairs {
                        let v = recall(t: t, k: k, a: a, m: m)
                        if v > -1 { values.append(v) }
                    }
                }
            }
        }
        return values.isEmpty ? -1 : NumpySum.pairwise(values) / Double(values.count)
    }

    /// numpy's fancy indexing `[..., aind, mind]`: the two index lists broadcast together.
    private func areaMaxDetPairs(area: String, maxDet: Int) throws -> [(Int, Int)] {
        let aind = params.areaRanges.indices.filter { params.areaRanges[$0].label == area }
        let mind = params.maxDetections.indices.filter { params.maxDetections[$0] == maxDet }
        if aind.count == mind.count { return Array(zip(aind, mind)) }
        if aind.count == 1 { return mind.map { (aind[0], $0) } }
        if mind.count == 1 { return aind.map { ($0, mind[0]) } }
        throw EvaluationError(.parameters, "area label '\(area)' appears \(aind.count) times and maxDets \(maxDet) \(mind.count) times (numpy cannot broadcast them)")
    }

    /// `' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'`.
    func line(ap: Bool, iouThreshold: Double?, area: String, maxDet: Int, value: Double) -> String {
        let title = (ap ? "Average Precision" : "Average Recall").padding(toLength: 18, withPad: " ", startingAt: 0)
        let iou = iouThreshold.map { String(format: "%0.2f", $0) }
            ?? String(format: "%0.2f:%0.2f", params.iouThresholds.first ?? .nan, params.iouThresholds.last ?? .nan)
        let iouField = iou.count < 9 ? iou + String(repeating: " ", count: 9 - iou.count) : iou
        let areaField = area.count < 6 ? String(repeating: " ", count: 6 - area.count) + area : area
        let maxField = String(format: "%3d", maxDet)
        return " \(title) \(ap ? "(AP)" : "(AR)") @[ IoU=\(iouField) | area=\(areaField) | maxDets=\(maxField) ] = \(String(format: "%0.3f", value))"
    }
}

/// numpy's float64 summation (`pairwise_sum`: blocks of 8 partial sums up to 128 values,
/// halves above), so means equal numpy's to the last bit.
enum NumpySum {
    static func pairwise(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { pairwise($0.baseAddress!, $0.count) }
    }

    static func pairwise(_ a: UnsafePointer<Double>, _ n: Int) -> Double {
        if n < 8 {
            var sum = 0.0
            for i in 0..<n { sum += a[i] }
            return sum
        }
        if n <= 128 {
            var r = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
            var i = 8
            while i < n - n % 8 {
                r.0 += a[i]; r.1 += a[i + 1]; r.2 += a[i + 2]; r.3 += a[i + 3]
                r.4 += a[i + 4]; r.5 += a[i + 5]; r.6 += a[i + 6]; r.7 += a[i + 7]
                i += 8
            }
            var sum = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
            while i < n {
                sum += a[i]
                i += 1
            }
            return sum
        }
        var half = n / 2
        half -= half % 8
        return pairwise(a, half) + pairwise(a + half, n - half)
    }
}
