import Autograd
import Foundation
import Models
import Structures

/// `bench detector --breakdown`: the stages of `predict` run one by one through the detector's
/// public parts (median ms each); "mask paste and rest" is the whole predict minus the stages.
struct InferBreakdown {
    let model: TwoStageDetector
    let input: Tensor
    let reps: Int

    func run() {
        var times: [String: [Double]] = [:]
        var order: [String] = []
        func timed<T>(_ name: String, _ body: () -> T) -> T {
            let start = DispatchTime.now().uptimeNanoseconds
            let value = body()
            if times[name] == nil { order.append(name) }
            times[name, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
            return value
        }
        let (h, w) = (input.dim(2), input.dim(3))
        let samples = [DetectorBench.sample(height: h, width: w)]
        guard let rpnHead = model.rpnHead as? RPNHead, let roiHead = model.roiHead as? StandardRoIHead else {
            print("  infer breakdown: only for an RPNHead + StandardRoIHead detector")
            return
        }
        for _ in 0..<max(1, reps) {
            withNoGrad {
                let c = timed("backbone") { model.backbone(input) }
                let feats = timed("fpn") { model.neck(c) }
                let (scores, deltas) = timed("rpn head convs") { rpnHead(feats) }
                let proposals = timed("rpn proposals (decode, nms)") {
                    rpnHead.proposals(scores: scores, deltas: deltas, image: 0, imgShape: (h, w), config: rpnHead.testConfig).boxes
                }
                let rois = Self.rois(proposals)
                let head = roiHead.bboxHead
                let roiFeats = timed("bbox roi align") { roiHead.bboxRoIExtractor(feats, rois: rois) }
                let (cls, reg) = timed("bbox head") { head(roiFeats) }
                let dets = timed("bbox post (decode, nms)") {
                    head.predict(clsScore: cls, bboxPred: reg, rois: rois, imgShape: (h, w), rescaleBy: nil, config: roiHead.testConfig)
                }
                if let extractor = roiHead.maskRoIExtractor, let maskHead = roiHead.maskHead, dets.count > 0 {
                    let maskFeats = timed("mask roi align") { extractor(feats, rois: Self.rois(dets.boxes)) }
                    _ = timed("mask head") { maskHead(maskFeats) }
                }
            }
            _ = timed("predict (whole)") { try? model.predict(inputs: input, samples: samples) }
        }
        let medians = times.mapValues { Timing.median($0) * 1000 }
        let whole = medians["predict (whole)"] ?? 0
        let stages = order.filter { $0 != "predict (whole)" }
        for name in stages { print(String(format: "  infer %@: %.1f ms", name, medians[name]!)) }
        let rest = whole - stages.reduce(0) { $0 + medians[$1]! }
        print(String(format: "  infer mask paste and rest: %.1f ms (predict %.1f ms)", rest, whole))
    }

    /// (K, 5) RoIs of image 0 from (K, 4) boxes.
    static func rois(_ boxes: Tensor) -> Tensor {
        let b = boxes.scalars, k = boxes.dim(0)
        return Tensor(shape: [k, 5], (0..<k).flatMap { [0] + b[(4 * $0)..<(4 * $0 + 4)] })
    }
}
