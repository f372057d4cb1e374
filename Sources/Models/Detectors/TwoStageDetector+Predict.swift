import Autograd
import Foundation
import Kernels
import Structures

extension TwoStageDetector {
    /// mmdetection's TwoStageDetector.predict on a preprocessed batch, without gradients:
    /// test proposals (`test_cfg.rpn`), box head and multiclass NMS (`test_cfg.rcnn`), and with
    /// a mask head the masks of the detections. With `rescale` the results are in each
    /// sample's original image (ori_shape, boxes divided by scale_factor) as mmdetection
    /// rescales them: Faster R-CNN before its NMS, Mask R-CNN after the mask head. `proposals`
    /// (one (K, 4) tensor per image), when given, replace the RPN's.
    public func predict(inputs: Tensor, samples: [DetSample], proposals given: [Tensor]? = nil, rescale: Bool = true) throws -> [Detections] {
        guard inputs.rank == 4, inputs.dim(0) == samples.count else {
            throw DetectorError("inputs \(inputs.shape) do not match \(samples.count) samples")
        }
        if let given, given.count != samples.count { throw DetectorError("\(given.count) proposal sets for \(samples.count) samples") }
        let geometry = try samples.indices.map {
            try SampleGeometry(samples[$0].meta, input: (inputs.dim(2), inputs.dim(3)), index: $0)
        }
        var failure: Error?
        let result: [Detections] = withNoGrad {
            let feats = features(inputs)
            let proposals: [Tensor]
            do { proposals = try given ?? rpnHead.predict(feats, geometry: geometry) } catch {
                failure = error
                return []
            }
            return roiHead.predict(feats, proposals: proposals, geometry: geometry, rescale: rescale)
        }
        if let failure { throw failure }
        return result
    }
}
