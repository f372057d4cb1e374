import Foundation

/// The sliding window of mmengine's LogProcessor: means of the last `window` iterations.
struct IterationMeter {
    let window: Int
    private var records: [IterationRecord] = []
    init(window: Int) { self.window = window }

    /// The checkpoint meta key of the window's records.
    static let metaKey = "log_window"

    /// The window's records as JSON (losses by name, loss, time, data time, grad norm).
    var saved: String {
        let items: [[String: Any]] = records.map { r in
            var d: [String: Any] = ["epoch": r.epoch, "iter_in_epoch": r.iterInEpoch, "iteration": r.iteration, "lr": r.lr,
                                    "loss": r.loss, "time": r.time, "data_time": r.dataTime,
                                    "losses": r.losses.map { [$0.0, $0.1] as [Any] }]
            if let g = r.gradNorm { d["grad_norm"] = g }
            return d
        }
        let data = (try? JSONSerialization.data(withJSONObject: items)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The window of a checkpoint (`saved`); anything unreadable leaves it empty.
    mutating func restore(_ text: String) {
        guard let items = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] else { return }
        // JSON writes 0.0 as 0: numbers are read whether they came back as Int or Double.
        func num(_ v: Any?) -> Double? { (v as? Double) ?? (v as? Int).map(Double.init) }
        for d in items {
            guard let epoch = d["epoch"] as? Int, let inEpoch = d["iter_in_epoch"] as? Int, let iteration = d["iteration"] as? Int,
                  let lr = num(d["lr"]), let loss = num(d["loss"]), let time = num(d["time"]),
                  let dataTime = num(d["data_time"]), let losses = d["losses"] as? [[Any]] else { continue }
            let pairs = losses.compactMap { p -> (String, Double)? in
                guard p.count == 2, let n = p[0] as? String, let v = num(p[1]) else { return nil }
                return (n, v)
            }
            add(IterationRecord(epoch: epoch, iterInEpoch: inEpoch, iteration: iteration, lr: lr, losses: pairs, loss: loss,
                                time: time, dataTime: dataTime, gradNorm: num(d["grad_norm"])))
        }
    }

    mutating func add(_ r: IterationRecord) {
        records.append(r)
        if records.count > window { records.removeFirst(records.count - window) }
    }

    var meanTime: Double { records.isEmpty ? 0 : records.map(\.time).reduce(0, +) / Double(records.count) }
    var meanDataTime: Double { records.isEmpty ? 0 : records.map(\.dataTime).reduce(0, +) / Double(records.count) }

    func mean(_ name: String) -> Double? {
        let values: [Double] = records.compactMap { r in
            switch name {
            case "loss": return r.loss
            case "grad_norm": return r.gradNorm
            case "comm_time": return r.commTime
            default: return r.losses.first { $0.0 == name }?.1
            }
        }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
