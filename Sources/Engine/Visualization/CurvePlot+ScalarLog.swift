import Foundation

extension CurvePlot {
    /// The plot `analyze_logs.py plot_curve` makes: one series per (log, key), named after the
    /// key (with the log's distinguishing path suffix in front when there are several logs, or
    /// as `legend` gives them), x the step (iteration for training keys, epoch for validation
    /// keys). A key may name a log key by its last "/" part (`bbox_mAP` for `coco/bbox_mAP`, as
    /// mmdetection strips the prefix). A key in no line of a log is an error that lists the keys
    /// that log has.
    public static func fromLogs(_ logs: [ScalarLog], keys: [String], legend: [String]? = nil,
                                title: String? = nil, width: Int = 800, height: Int = 500) throws -> CurvePlot {
        guard !logs.isEmpty, !keys.isEmpty else { throw VisualizationError.invalidPlot(reason: "no logs or no keys given") }
        guard (64...16384).contains(width), (64...16384).contains(height) else {
            throw VisualizationError.invalidPlot(reason: "a plot of \(width)x\(height) pixels: width and height must be 64 to 16384")
        }
        if let legend, legend.count != logs.count * keys.count {
            throw VisualizationError.invalidPlot(
                reason: "\(legend.count) legend names for \(logs.count) log(s) x \(keys.count) key(s)")
        }
        let tags = distinctNames(logs.map(\.path))
        var series: [Series] = []
        var units = Set<String>()
        for (i, log) in logs.enumerated() {
            for asked in keys {
                guard let key = log.resolve(asked) else {
                    throw VisualizationError.unknownKey(key: asked, files: [log.path], available: log.keys.filter { $0 != "step" })
                }
                units.insert(log.stepUnit(for: key) ?? "step")
                let name = legend?[series.count] ?? (logs.count > 1 ? "\(tags[i])_\(key)" : key)
                series.append(Series(name: name, points: log.series(key).map { (x: $0.step, y: $0.value) }))
            }
        }
        return CurvePlot(series: series, width: width, height: height, title: title,
                         xLabel: units.count == 1 ? units.first! : "step")
    }

    /// Short names for paths: the fewest trailing path components (extension dropped) that
    /// tell them apart, less the trailing ones all share, so that `run1/vis_data/scalars.json`
    /// and `run2/vis_data/scalars.json` read as "run1" and "run2".
    static func distinctNames(_ paths: [String]) -> [String] {
        let parts = paths.map { path -> [String] in
            var c = (path as NSString).standardizingPath.split(separator: "/").map(String.init)
            if let last = c.last { c[c.count - 1] = (last as NSString).deletingPathExtension }
            return c
        }
        let shortest = parts.map(\.count).min() ?? 0
        var common = 0  // trailing components that every path shares
        while common < shortest, Set(parts.map { $0[$0.count - 1 - common] }).count == 1 { common += 1 }
        let longest = parts.map(\.count).max() ?? 1
        for k in (common + 1)..<(max(longest, common + 1) + 1) {
            let names = parts.map { $0.suffix(k).dropLast(common).joined(separator: "/") }
            if Set(names).count == names.count, !names.contains("") { return names }
        }
        return paths
    }
}
