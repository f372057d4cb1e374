import Autograd
import Structures

extension FCNMaskHead {
    /// mmdetection's mask_target: for every positive RoI (the sampled proposal box, clipped to
    /// the mask size) its gt's bitmap mask pooled by RoIAlign to `size` x `size` and
    /// thresholded at 0.5. `gtMasks[n]` holds image n's gt masks in the padded input's frame.
    /// Returns (P, size, size) over all images, in RoI order.
    public func targets(samples: RoISamples, gtMasks: [BitmapMasks], size: Int) -> Tensor {
        var out: [Float] = []
        for (n, s) in samples.perImage.enumerated() where !s.positives.isEmpty {
            let masks = gtMasks[n]
            let (w, h) = (Float(masks.width), Float(masks.height))
            let boxes = samples.positiveBoxes[n].scalars.enumerated().map { i, v in
                min(max(v, 0), i % 2 == 0 ? w : h)
            }
            out += masks.cropAndResize(boxes: boxes, indices: s.positiveGtIndices, outHeight: size, outWidth: size)
        }
        return Tensor(shape: [out.count / (size * size), size, size], out)
    }

    /// loss_mask: BCE with logits on each positive RoI's gt-class channel, averaged over all
    /// its pixels (mmdetection's CrossEntropyLoss(use_mask=True)).
    public func loss(maskLogits: Tensor, targets: Tensor, labels: [Int]) -> Tensor {
        maskLoss.scaled(Losses.maskBinaryCrossEntropy(maskLogits, target: targets, labels: IndexTensor(labels)))
    }
}

extension RoISamples {
    /// The positive RoIs (P, 5), image by image: the mask branch's RoIs.
    public var positiveRoIs: Tensor {
        let r = rois.scalars
        let pos = isPositive.indices.filter { isPositive[$0] }
        return Tensor(shape: [pos.count, 5], pos.flatMap { r[(5 * $0)..<(5 * $0 + 5)] })
    }

    /// The positives' labels in RoI order.
    public var positiveLabels: [Int] { isPositive.indices.filter { isPositive[$0] }.map { labels[$0] } }
}
