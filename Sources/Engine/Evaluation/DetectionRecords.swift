import Evaluation
import Models
import Structures

extension Detections {
    /// This image's detections as COCO results records, as mmdetection's `results2json`:
    /// label `i` becomes `categoryIds[i]`, boxes `[x1, y1, x2, y2]` become `[x, y, w, h]`, and
    /// each mask (row-major, `height` x `width`) its RLE.
    public func records(imageId: Int, categoryIds: [Int], height: Int, width: Int) -> [DetectionRecord] {
        let b = boxes.scalars
        return (0..<count).map { i in
            // Width and height in Float32 first, as mmdetection's xyxy2xywh on the float32 tensor.
            let x1: Float = b[4 * i], y1: Float = b[4 * i + 1]
            let w: Float = b[4 * i + 2] - x1, h: Float = b[4 * i + 3] - y1
            let box = XYWH(Double(x1), Double(y1), Double(w), Double(h))
            let mask = masks.map { RLE(rowMajor: $0[i], height: height, width: width) }
            return DetectionRecord(imageId: imageId, categoryId: categoryIds[labels[i]], bbox: box,
                                   score: Double(scores[i]), mask: mask)
        }
    }
}
