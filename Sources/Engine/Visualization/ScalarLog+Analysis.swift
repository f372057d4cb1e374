import Foundation

extension ScalarLog {
    /// The log's key for `key`: itself when some line has it, else the one key whose last
    /// "/"-separated part it is, as mmdetection's `analyze_logs.py` reads `coco/bbox_mAP` as
    /// `bbox_mAP`; nil when there is none, or several.
    public func resolve(_ key: String) -> String? {
        let all = keys
        if all.contains(key) { return key }
        let matches = all.filter { $0.split(separator: "/").last.map(String.init) == key }
        return matches.count == 1 ? matches[0] : nil
    }

    /// `analyze_logs.py cal_train_time` on this log: each epoch's mean iteration time
    /// ("time" of its training lines, the first line of each epoch left out unless
    /// `includeOutliers` or it is the epoch's only line: mmdetection would average nothing and
    /// print NaN), the slowest and fastest epoch, the standard deviation over epochs
    /// (population) and their mean.
    public struct TrainTime: Equatable, Sendable {
        /// (epoch, mean seconds per iteration), in log order.
        public var epochs: [(epoch: Int, seconds: Double)]
        public var slowest: (epoch: Int, seconds: Double)
        public var fastest: (epoch: Int, seconds: Double)
        public var standardDeviation: Double
        public var average: Double
        /// Epochs with a single logged time, which was kept although it is the first.
        public var singleLine: [Int]

        public static func == (a: TrainTime, b: TrainTime) -> Bool {
            a.epochs.elementsEqual(b.epochs) { $0 == $1 } && a.slowest == b.slowest && a.fastest == b.fastest
                && a.standardDeviation == b.standardDeviation && a.average == b.average && a.singleLine == b.singleLine
        }

        /// mmdetection's printed lines.
        public var lines: [String] {
            (singleLine.isEmpty ? [] : ["(\(singleLine.count) epoch(s) have one logged time, kept: log more often to leave out warm-up)"]) + [String(format: "slowest epoch %d, average time is %.4f s/iter", slowest.epoch, slowest.seconds),
             String(format: "fastest epoch %d, average time is %.4f s/iter", fastest.epoch, fastest.seconds),
             String(format: "time std over epochs is %.4f", standardDeviation),
             String(format: "average iter time: %.4f s/iter", average)]
        }
    }

    /// The training time summary, or an error naming the file when it has no training line.
    public func trainTime(includeOutliers: Bool = false) throws -> TrainTime {
        var order: [Int] = []
        var times: [Int: [Double]] = [:]
        for record in records {
            guard record.values["iter"] != nil, let epoch = record.values["epoch"], let time = record.values["time"],
                  time.isFinite else { continue }
            guard epoch.isFinite, epoch == epoch.rounded(), abs(epoch) < 1e15 else {
                throw VisualizationError.invalidLog(path: path, reason: "line \(record.line): epoch \(epoch) is not a whole number")
            }
            let e = Int(epoch)
            if times[e] == nil { order.append(e) }
            times[e, default: []].append(time)
        }
        var epochs: [(epoch: Int, seconds: Double)] = []
        var singleLine: [Int] = []
        for e in order {
            let all = times[e]!
            if all.count == 1 && !includeOutliers { singleLine.append(e) }
            let kept = includeOutliers || all.count == 1 ? all : Array(all.dropFirst())
            epochs.append((e, kept.reduce(0, +) / Double(kept.count)))
        }
        guard !epochs.isEmpty else {
            throw VisualizationError.invalidLog(path: path, reason: "no training line with epoch, iter and time")
        }
        let means = epochs.map(\.seconds)
        let average = means.reduce(0, +) / Double(means.count)
        let variance = means.map { ($0 - average) * ($0 - average) }.reduce(0, +) / Double(means.count)
        var slowest = 0, fastest = 0  // numpy's argmax / argmin: the first on ties
        for i in epochs.indices {
            if means[i] > means[slowest] { slowest = i }
            if means[i] < means[fastest] { fastest = i }
        }
        return TrainTime(epochs: epochs, slowest: epochs[slowest], fastest: epochs[fastest],
                         standardDeviation: variance.squareRoot(), average: average, singleLine: singleLine)
    }
}
