import Datasets
import Models
import Structures

extension DetectionDrawer {
    /// A model's detections (boxes, labels, scores and original-size masks) drawn on `image`.
    public func draw(on image: ImageU8, detections d: Detections) -> ImageU8 {
        let masks = d.masks.map { BitmapMasks(height: image.height, width: image.width, masks: $0) }
        return draw(on: image, boxes: HorizontalBoxes(d.boxes.scalars), labels: d.labels, scores: d.scores, masks: masks)
    }
}
