import Datasets
import Foundation
import Structures
import Testing

/// Resize and flip geometry of boxes and masks on real coco_sample images, against values
/// computed with mmdetection's rules (GeometryFacts).
@Suite struct PipelineGeometryTests {
    @Test(arguments: GeometryFacts.cases.indices)
    func resizeThenFlipMatchesMMDetection(_ k: Int) throws {
        let c = GeometryFacts.cases[k]
        let plain = try Build.cocoSample(pipeline: Build.trainPipeline(flip: 0))
        let s = try Build.sample(plain, imageId: c.imageId).sample
        #expect(s.meta.oriShape == [c.height, c.width] && s.meta.imgShape == [c.newHeight, c.newWidth])
        #expect(s.meta.scaleFactor == [Double(c.newWidth) / Double(c.width), Double(c.newHeight) / Double(c.height)])
        #expect(s.meta.flip == false && s.meta.flipDirection == nil)
        #expect(s.gtInstances.labels == c.labels)
        #expect(s.gtInstances.bboxes.values == c.resizedBoxes)
        #expect(fnv1a(s.gtInstances.masks?.bitmapData ?? []) == c.resizedMasks)
        #expect(s.ignoredInstances.count == c.crowd)

        let flipping = try Build.cocoSample(pipeline: Build.trainPipeline(flip: 1))
        let f = try Build.sample(flipping, imageId: c.imageId).sample
        #expect(f.meta.flip == true && f.meta.flipDirection == .horizontal)
        #expect(f.gtInstances.bboxes.values == c.flippedBoxes)
        #expect(fnv1a(f.gtInstances.masks?.bitmapData ?? []) == c.flippedMasks)
        #expect(f.ignoredInstances.bboxes.values == c.flippedCrowdBoxes)
        #expect(fnv1a(f.ignoredInstances.masks?.bitmapData ?? []) == c.flippedCrowdMasks)
    }

    @Test func testPipelineKeepsAnnotationsInTheOriginalFrame() throws {
        // LoadAnnotations after Resize, as in coco_instance.py's test pipeline.
        let pipeline = Pipeline([
            LoadImageFromFile(), Resize(target: .scale(width: 1333, height: 800), keepRatio: true),
            LoadAnnotations(withMask: true),
            PackDetInputs(metaKeys: ["img_id", "img_path", "ori_shape", "img_shape", "scale_factor"]),
        ])
        let s = try Build.sample(try Build.cocoSample(pipeline: pipeline), imageId: 790).sample
        #expect(s.meta.flip == nil && s.meta.imgShape == [800, 1213] && s.meta.imgId == 790)
        if case .bitmap(let m)? = s.gtInstances.masks { #expect(m.height == 422 && m.width == 640) } else { Issue.record("no masks") }
        #expect(s.gtInstances.bboxes.values.max()! <= 640)
    }

    @Test func resizeRuleAndStretch() {
        #expect(Resize.rescaledSize(width: 640, height: 422, scale: (1333, 800)) == (1213, 800))
        #expect(Resize.rescaledSize(width: 800, height: 600, scale: (512, 384)) == (512, 384))
        #expect(Resize.rescaledSize(width: 427, height: 640, scale: (1333, 800)) == (800, 1199))
        let stretch = Resize(target: .scale(width: 100, height: 50), keepRatio: false)
        #expect(stretch.outputSize(width: 640, height: 480) == (100, 50))
        let factor = Resize(target: .factor(0.5, 0.5), keepRatio: true)
        #expect(factor.outputSize(width: 641, height: 480) == (321, 240))
    }
}
