import Config
import Kernels

/// Indices chosen for the loss: positives and negatives, each sorted ascending (mmdetection's
/// SamplingResult after `unique()`), and which candidates are the prepended gts.
public struct SamplingResult: Equatable, Sendable {
    public var positives: [Int]
    public var negatives: [Int]
    /// For each positive, the gt index (0-based) it is assigned to.
    public var positiveGtIndices: [Int]
    public var positiveLabels: [Int]
    /// Number of gts prepended to the candidates (add_gt_as_proposals), else 0.
    public var numPrependedGts: Int
}

/// mmdetection's `RandomSampler`: up to num x pos_fraction random positives, the rest random
/// negatives (neg_pos_ub -1: no ratio cap); pools at or under their quota are taken whole.
/// Draws from an explicitly passed generator.
public struct RandomSampler: Sendable {
    public var num: Int
    public var posFraction: Float
    public var negPosUB: Float
    public var addGtAsProposals: Bool

    public init(num: Int, posFraction: Float, negPosUB: Float = -1, addGtAsProposals: Bool = true) {
        self.num = num
        self.posFraction = posFraction
        self.negPosUB = negPosUB
        self.addGtAsProposals = addGtAsProposals
    }

    /// Samples from `assignment` (already including prepended gts when `addGtAsProposals`).
    public func sample(_ assignment: AssignResult, numPrependedGts: Int, using rng: inout SeededGenerator) -> SamplingResult {
        let posPool = assignment.gtIndices.indices.filter { assignment.gtIndices[$0] > 0 }
        let negPool = assignment.gtIndices.indices.filter { assignment.gtIndices[$0] == 0 }
        let pos = choose(posPool, Int(Float(num) * posFraction), using: &rng)
        var negQuota = num - pos.count
        if negPosUB >= 0 {
            negQuota = min(negQuota, Int(negPosUB * Float(max(1, pos.count))))
        }
        let neg = choose(negPool, negQuota, using: &rng)
        return SamplingResult(
            positives: pos, negatives: neg,
            positiveGtIndices: pos.map { assignment.gtIndices[$0] - 1 },
            positiveLabels: pos.map { assignment.labels[$0] },
            numPrependedGts: numPrependedGts)
    }

    /// The whole pool when it fits the quota, else `quota` random members; sorted ascending.
    private func choose(_ pool: [Int], _ quota: Int, using rng: inout SeededGenerator) -> [Int] {
        guard pool.count > quota else { return pool }
        var p = pool
        for i in 0..<quota {  // partial Fisher-Yates
            let j = i + Int(rng.next() % UInt64(p.count - i))
            p.swapAt(i, j)
        }
        return p.prefix(max(quota, 0)).sorted()
    }
}

extension RandomSampler {
    /// mmdetection's `RandomSampler` config.
    public init(config c: ConfigView) throws {
        try c.accept(["type", "num", "pos_fraction", "neg_pos_ub", "add_gt_as_proposals"])
        guard try c.string("type", default: "RandomSampler") == "RandomSampler" else { throw c.error("type", "only RandomSampler is supported") }
        self.init(num: try c.int("num", atLeast: 1), posFraction: Float(try c.double("pos_fraction", in: 0...1)),
                  negPosUB: Float(try c.double("neg_pos_ub", default: -1, in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)),
                  addGtAsProposals: try c.bool("add_gt_as_proposals", default: true))
    }
}
