import Autograd
import Config
import Datasets
import Foundation
import Structures
import Testing

/// The tiny mmdetection fixture's real input: fruits_nuts 3.jpg through the Mask R-CNN train
/// pipeline with `Resize(scale=(512, 384))` and `RandomFlip(prob=0)`, then the preprocessor.
/// mmdetection produced `image.resized_bgr_u8`, `input`, the GT boxes, labels and masks, and
/// the mask targets of its positive RoIs (Tests/Fixtures/mmdet/README.md).
@Suite struct FixturePipelineTests {
    static let pipelineText = """
        train_pipeline = [
            dict(type='LoadImageFromFile', backend_args=None),
            dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
            dict(type='Resize', scale=(512, 384), keep_ratio=True),
            dict(type='RandomFlip', prob=0.0),
            dict(type='PackDetInputs'),
        ]
        data_preprocessor = dict(type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_size_divisor=32, pad_mask=True)
        """

    static func fixture() throws -> SafetensorsFile {
        try SafetensorsFile(path: try TestData.fixture("mmdet/tiny-mask-rcnn_r50_fpn_gn-ws-all.safetensors"))
    }

    static func packed() throws -> (PackedSample, DetDataPreprocessor) {
        let cfg = try ConfigLoader().load(text: pipelineText, file: "fixture_pipeline.py")
        let pipeline = try Pipeline(config: try cfg.views("train_pipeline"))
        var pre = try cfg.view("data_preprocessor")
        pre = ConfigView(dict: pre.dict.filter { k, _ in k != "type" }, path: pre.path, source: pre.source)
        let ds = try Build.fruits("val", pipeline: pipeline)
        return (try Build.sample(ds, imageId: 4), try DetDataPreprocessor(config: pre))
    }

    @Test func resizedImageAndInputTensorMatchMMDetection() throws {
        let (p, pre) = try Self.packed()
        let f = try Self.fixture()
        let expected = try f.indices("image.resized_bgr_u8")  // (3, 384, 512) BGR
        #expect(expected.shape == [3, 384, 512] && p.image.height == 384 && p.image.width == 512)
        var mismatches = 0
        for c in 0..<3 { for y in 0..<384 { for x in 0..<512 where Int(p.image[y, x, c]) != expected.values[(c * 384 + y) * 512 + x] { mismatches += 1 } } }
        #expect(mismatches == 0, "resized image differs from cv2 in \(mismatches) values")

        let batch = pre([p], training: true)
        let input = try f.tensor("input")
        #expect(batch.inputs.shape == [1, 3, 384, 512])
        let a = batch.inputs.scalars, e = input.scalars
        let worst = zip(a, e).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-3)
        #expect(worst == 0, "expected bitwise equality, worst difference \(worst)")
        let m = batch.samples[0].meta
        #expect(m.imgShape == [384, 512] && m.oriShape == [600, 800] && m.scaleFactor == [0.64, 0.64])
        #expect(m.padShape == [384, 512] && m.batchInputShape == [384, 512] && m.imgId == 4)
    }

    @Test func groundTruthBoxesLabelsAndMasksMatchMMDetection() throws {
        let (p, _) = try Self.packed()
        let f = try Self.fixture()
        let gt = p.sample.gtInstances
        #expect(gt.bboxes.values == (try f.tensor("train.gt_bboxes")).scalars)
        #expect(gt.labels == (try f.indices("train.gt_labels")).values)
        let offsets = try f.indices("train.gt_masks.rle_offsets").values, counts = try f.indices("train.gt_masks.rle_counts").values
        guard case .bitmap(let masks)? = gt.masks else { Issue.record("no bitmap masks"); return }
        #expect(masks.count == offsets.count - 1 && masks.height == 384 && masks.width == 512)
        for i in 0..<masks.count {
            let expected = Self.decodeColumnMajorRuns(Array(counts[offsets[i]..<offsets[i + 1]]), height: 384, width: 512)
            #expect(Array(masks.mask(i)) == expected, "mask \(i)")
        }
    }

    @Test func maskTargetsOfThePositiveRoIsMatchMMDetection() throws {
        let (p, _) = try Self.packed()
        let f = try Self.fixture()
        guard case .bitmap(let masks)? = p.sample.gtInstances.masks else { Issue.record("no bitmap masks"); return }
        let rois = try f.tensor("train.mask.rois").scalars, inds = try f.indices("train.rcnn.pos_assigned_gt_inds").values
        var boxes: [Float] = []
        for r in 0..<inds.count {  // mask_target_single clips the proposals to the mask size
            let b = Array(rois[(5 * r + 1)..<(5 * r + 5)])
            boxes += [min(max(b[0], 0), 512), min(max(b[1], 0), 384), min(max(b[2], 0), 512), min(max(b[3], 0), 384)]
        }
        let targets = masks.cropAndResize(boxes: boxes, indices: inds, outHeight: 28, outWidth: 28)
        let expected = try f.tensor("train.mask.targets").scalars
        #expect(targets.count == expected.count)
        #expect(zip(targets, expected).filter { $0 != $1 }.count == 0)
    }

    /// The fixture's uncompressed COCO RLE (column-major runs from 0s) as a row-major bitmap.
    static func decodeColumnMajorRuns(_ runs: [Int], height: Int, width: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: height * width)
        var k = 0, value: UInt8 = 0
        for r in runs {
            for j in k..<(k + r) { out[(j % height) * width + j / height] = value }
            k += r
            value ^= 1
        }
        return out
    }
}
