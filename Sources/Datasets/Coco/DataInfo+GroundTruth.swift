import Structures

extension DataInfo {
    /// The image's ground truth as mmdetection's visualizer draws it in `test --show-dir`: the
    /// instances that are not ignored (crowd annotations go to `ignored_instances`), with
    /// boxes in the original image's pixels and masks rasterized at the annotation file's image
    /// size (nil when no instance has a segmentation; an instance without one gets an empty mask).
    public func groundTruth() throws -> (boxes: HorizontalBoxes, labels: [Int], masks: BitmapMasks?) {
        let kept = instances.filter { !$0.ignoreFlag }
        let boxes = HorizontalBoxes(kept.flatMap { $0.bbox.map { Float($0) } })
        let labels = kept.map(\.label)
        guard kept.contains(where: { $0.mask != nil }), height > 0, width > 0 else { return (boxes, labels, nil) }
        var data = [UInt8](repeating: 0, count: kept.count * height * width)
        for (i, instance) in kept.enumerated() {
            guard let seg = instance.mask else { continue }
            let bitmap = try MaskRasterizer.bitmap(seg, height: height, width: width, file: annotationFile,
                                                   annotationId: instance.annotationId)
            data.replaceSubrange((i * height * width)..<((i + 1) * height * width), with: bitmap)
        }
        return (boxes, labels, BitmapMasks(height: height, width: width, data: data))
    }
}
