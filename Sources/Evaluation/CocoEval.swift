import Structures

/// pycocotools' `COCOeval` for `bbox` and `segm`, identical in its numbers
/// (reference/cocoeval.md): `evaluate()` matches detections to ground truth per image and
/// category, `CocoEvaluation.accumulate()` builds the precision/recall arrays,
/// `CocoAccumulation.summarize()` the 12 standard numbers. Work is split over all cores.
public struct CocoEval: Sendable {
    public let groundTruth: CocoIndex
    public let results: CocoResults
    public var params: CocoEvalParams
    /// How masks of the wrong size in the ground truth are treated (see `ResultsPolicy`).
    public var policy: ResultsPolicy

    public init(groundTruth: CocoIndex, results: CocoResults, params: CocoEvalParams, policy: ResultsPolicy = .strict) {
        self.groundTruth = groundTruth
        self.results = results
        self.params = params
        self.policy = policy
    }

    /// `COCOeval.evaluate()`. Throws for parameters pycocotools cannot run (no maxDets) and
    /// for ground truth that segm evaluation cannot rasterize (naming the annotation).
    public func evaluate() throws -> CocoEvaluation {
        var resolved = params
        resolved.maxDetections.sort()
        guard !resolved.maxDetections.isEmpty else {
            throw EvaluationError(.parameters, "maxDetections is empty (pycocotools needs at least one)")
        }
        let inputs = try EvalInputs(groundTruth: groundTruth, results: results, params: resolved, policy: policy)
        resolved.imageIds = inputs.imageIds
        resolved.categoryIds = inputs.categoryIds
        let outcomes = Matching(
            inputs: inputs, thresholds: resolved.iouThresholds, areas: resolved.areaRanges,
            segm: resolved.iouType == .segm
        ).run()
        return CocoEvaluation(params: resolved, inputs: inputs, outcomes: outcomes)
    }

    /// Loads both files, evaluates, accumulates and summarizes: what `coco-eval` and the bench
    /// do. Returns the accumulation (for per-category tables) and the summary.
    public static func run(
        annotations: String, results: String, iouType: CocoEvalParams.IoUType, policy: ResultsPolicy = .strict
    ) throws -> (accumulation: CocoAccumulation, summary: CocoSummary) {
        let gt = try rethrowingInput { try CocoIndex(contentsOf: annotations) }
        let dt = try CocoResults(contentsOf: results, groundTruth: gt, policy: policy)
        let evaluation = try CocoEval(groundTruth: gt, results: dt, params: CocoEvalParams(iouType: iouType), policy: policy).evaluate()
        let accumulation = evaluation.accumulate()
        return (accumulation, try accumulation.summarize())
    }
}

/// The per-image, per-category matching results (`evalImgs`), ready to accumulate.
public struct CocoEvaluation: Sendable {
    /// The parameters as evaluated: image and category ids resolved and sorted, maxDets sorted.
    public let params: CocoEvalParams
    let inputs: EvalInputs
    /// `[detection][area][threshold]` outcomes (see `Matching`).
    let outcomes: [UInt8]

    /// Evaluated image ids, ascending.
    public var imageIds: [Int] { inputs.imageIds }
    /// Evaluated category ids (ascending; the params order with useCategories = false).
    public var categoryIds: [Int] { inputs.categoryIds }

    /// `COCOeval.accumulate()`.
    public func accumulate() -> CocoAccumulation { Accumulator(evaluation: self).run() }
}

extension EvalInputs: @unchecked Sendable {}
