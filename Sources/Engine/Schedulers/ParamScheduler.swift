import Config
import Foundation
import Kernels

/// One mmengine parameter scheduler on the learning rate (LinearLR, MultiStepLR, ConstantLR,
/// CosineAnnealingLR) in mmengine's chainable form: each `step()` multiplies (or, for cosine,
/// moves) the current value of every group, so schedulers listed together compose.
///
/// As in mmengine's `_ParamScheduler`: the constructor performs the first step;
/// `globalStep` counts steps (0 after construction) and the rule applies only while
/// begin <= globalStep < end, where `lastStep` (the rule's own step counter) advances.
/// Epoch-based schedulers step after every epoch, iteration-based ones after every iteration.
public struct ParamScheduler: Codable, Equatable {
    /// The schedule's rule with its arguments.
    public enum Rule: Codable, Equatable {
        case linear(startFactor: Double, endFactor: Double)
        /// `milestones` may repeat a step (mmengine counts them: gamma ** count).
        case multiStep(milestones: [Int], gamma: Double)
        case constant(factor: Double)
        case cosineAnnealing(tMax: Int, etaMin: Double?, etaMinRatio: Double?)
    }

    /// mmengine's INF end (int(1e9)).
    public static let infinity = 1_000_000_000

    public var rule: Rule
    public var begin: Int
    public var end: Int
    public var byEpoch: Bool
    public private(set) var globalStep = -1
    public private(set) var lastStep = -1

    /// Used for `rule` over steps begin..<end. The first step is left to `LRScheduler`,
    /// which performs it in config order, as mmengine's constructors do.
    public init(rule: Rule, begin: Int = 0, end: Int = ParamScheduler.infinity, byEpoch: Bool) {
        checkInvariant(end > begin, "ParamScheduler: end (\(end)) must be larger than begin (\(begin))")
        if case .cosineAnnealing(let tMax, _, _) = rule { checkInvariant(tMax > 0, "CosineAnnealingLR: T_max must be positive") }
        self.rule = rule
        self.begin = begin
        self.end = end
        self.byEpoch = byEpoch
    }

    /// One step: `values` are the groups' current values, `bases` their initial ones.
    public mutating func step(_ values: inout [Double], bases: [Double]) {
        globalStep += 1
        guard begin <= globalStep && globalStep < end else { return }
        lastStep += 1
        for g in values.indices { values[g] = next(values[g], base: bases[g]) }
    }

    /// The chainable update of one value at `lastStep`, with mmengine's arithmetic order.
    func next(_ v: Double, base: Double) -> Double {
        let t = lastStep
        let totalIters = end - begin - 1
        switch rule {
        case .linear(let start, let endFactor):
            if t == 0 { return v * start }
            return v * (1.0 + (endFactor - start) / (Double(totalIters) * start + Double(t - 1) * (endFactor - start)))
        case .multiStep(let milestones, let gamma):
            let count = milestones.filter { $0 == t }.count
            return count == 0 ? v : v * pow(gamma, Double(count))
        case .constant(let factor):
            if t == 0 { return v * factor }
            return t == totalIters ? v * (1.0 / factor) : v
        case .cosineAnnealing(let tMax, let etaMin, let ratio):
            let eta = ratio.map { base * $0 } ?? etaMin ?? 0
            if t == 0 { return v }
            if (t - 1 - tMax) % (2 * tMax) == 0 {
                return v + (base - eta) * (1 - cos(Double.pi / Double(tMax))) / 2
            }
            return (1 + cos(Double.pi * Double(t) / Double(tMax))) / (1 + cos(Double.pi * Double(t - 1) / Double(tMax)))
                * (v - eta) + eta
        }
    }
}

extension ParamScheduler {
    /// The config keys every scheduler takes.
    static let commonKeys = ["type", "begin", "end", "by_epoch", "convert_to_iter_based", "verbose"]

    /// From one `param_scheduler` entry. `epochLength` is the number of iterations per epoch
    /// (`len(train_dataloader)`); `maxEpochs` gives the default `end` as mmengine's runner
    /// does (max_epochs for epoch-based, max_epochs * epochLength for iteration-based);
    /// `convert_to_iter_based` turns an epoch-based scheduler into an iteration-based one.
    public init(config c: ConfigView, epochLength: Int, maxEpochs: Int?) throws {
        let byEpoch = try c.bool("by_epoch", default: true)
        let convert = try c.bool("convert_to_iter_based", default: false)
        if convert && !byEpoch {
            throw c.error("convert_to_iter_based", "only an epoch-based scheduler (by_epoch=True) can be converted to iteration-based")
        }
        guard epochLength > 0 else { throw c.error(nil, "epoch length must be positive, got \(epochLength)") }
        let scale = convert ? epochLength : 1
        // An absent end defaults before conversion (mmengine: setdefault, then build_iter_from_epoch).
        let defaultEnd = maxEpochs.map { byEpoch ? Double($0) : Double($0) * Double(epochLength) }
        // Steps up to mmengine's INF (1e9), in the scheduler's own unit before conversion.
        let steps = 0...Double(Self.infinity)
        let beginRaw = try c.double("begin", default: 0, in: steps)
        let endRaw = try c.double("end", default: defaultEnd.map { min($0, Double(Self.infinity)) } ?? Double(Self.infinity), in: steps)
        if !convert {
            for (key, v) in [("begin", beginRaw), ("end", endRaw)] where c.contains(key) && v.rounded() != v {
                throw c.error(key, "expected an integer step, got \(v)")
            }
        }
        let begin = Int(beginRaw * Double(scale))
        let end = endRaw == Double(Self.infinity) ? Self.infinity : Int(endRaw * Double(scale))
        guard end > begin else { throw c.error(nil, "end (\(end)) must be larger than begin (\(begin))") }
        var rule = try Self.rules.build(c)(scale)
        if case .cosineAnnealing(0, let etaMin, let ratio) = rule {
            rule = .cosineAnnealing(tMax: end - begin, etaMin: etaMin, etaMinRatio: ratio)  // T_max or (end - begin)
        }
        self.init(rule: rule, begin: begin, end: end, byEpoch: byEpoch && !convert)
    }

    /// mmengine's PARAM_SCHEDULERS that SwiftDet implements, one entry each: the rule of a
    /// config, given the iteration scale of `convert_to_iter_based` (1 otherwise).
    static let rules = Registry<@Sendable (_ scale: Int) -> Rule>("PARAM_SCHEDULERS", [
        "LinearLR": { c in
            try c.accept(commonKeys + ["start_factor", "end_factor"])
            let (start, end) = (try positiveFactor(c, "start_factor", 1.0 / 3), try factor(c, "end_factor", 1))
            return { _ in .linear(startFactor: start, endFactor: end) }
        },
        "MultiStepLR": { c in
            try c.accept(commonKeys + ["milestones", "gamma"])
            let (milestones, gamma) = (try c.ints("milestones", in: 0...Self.infinity), try c.double("gamma", default: 0.1, atLeast: 0))
            return { scale in .multiStep(milestones: milestones.map { $0 * scale }, gamma: gamma) }
        },
        "ConstantLR": { c in
            try c.accept(commonKeys + ["factor"])
            let f = try positiveFactor(c, "factor", 1.0 / 3)
            return { _ in .constant(factor: f) }
        },
        "CosineAnnealingLR": { c in
            try c.accept(commonKeys + ["T_max", "eta_min", "eta_min_ratio"])
            let etaMin = try c.optionalDouble("eta_min").map { _ in try c.double("eta_min", atLeast: 0) }
            let ratio = try c.optionalDouble("eta_min_ratio").map { _ in try c.double("eta_min_ratio", in: 0...1) }
            if etaMin != nil && ratio != nil { throw c.error("eta_min_ratio", "give either eta_min or eta_min_ratio, not both") }
            let tMax = try c.optionalInt("T_max").map { _ in try c.int("T_max", in: 1...Self.infinity) }
            return { scale in .cosineAnnealing(tMax: tMax.map { $0 * scale } ?? 0, etaMin: ratio == nil ? (etaMin ?? 0) : nil, etaMinRatio: ratio) }
        },
    ])

    private static func factor(_ c: ConfigView, _ key: String, _ d: Double) throws -> Double {
        try c.double(key, default: d, in: 0...1)
    }

    /// A factor the chained update later divides by (LinearLR's start, ConstantLR's): 0 would
    /// make the lr NaN (mmengine) or raise ZeroDivisionError (torch, which refuses it upfront).
    private static func positiveFactor(_ c: ConfigView, _ key: String, _ d: Double) throws -> Double {
        let v = try factor(c, key, d)
        guard v > 0 else { throw c.error(key, "0.0 is not allowed: expected a number above 0.0 up to 1.0 (the lr is later divided by it)") }
        return v
    }
}
