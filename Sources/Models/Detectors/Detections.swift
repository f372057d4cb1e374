import Autograd
import Kernels

/// Detections of one image: boxes (K, 4) xyxy, scores, 0-based labels; masks when predicted.
public struct Detections {
    public var boxes: Tensor
    public var scores: [Float]
    public var labels: [Int]
    /// (K, H, W) binary masks in the original image, row-major, when the model has a mask head.
    public var masks: [[UInt8]]? = nil
    public var count: Int { scores.count }

    public init(boxes: Tensor, scores: [Float], labels: [Int], masks: [[UInt8]]? = nil) {
        checkInvariant(boxes.shape == [scores.count, 4] && labels.count == scores.count,
                     "Detections: boxes \(boxes.shape), \(scores.count) scores, \(labels.count) labels")
        self.boxes = boxes
        self.scores = scores
        self.labels = labels
        self.masks = masks
    }

    public static var empty: Detections { Detections(boxes: Tensor.zeros([0, 4]), scores: [], labels: []) }
}
