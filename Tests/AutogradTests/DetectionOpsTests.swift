import Autograd
import Foundation
import Kernels
import Testing

/// roiAlign, NMS, batched NMS and box IoU against the mmcv / mmdet fixtures.
@Suite struct DetectionOpsTests {
    @Test func roiAlignMatchesFixtures() throws {
        let file = try Fixtures.ops("roi_align.safetensors")
        let cases = try fixtureCases(file)
        #expect(cases.count == 5)
        for (name, p) in cases {
            let size = p["output_size"] as! Int
            let x = try file.tensor("\(name).x")
            x.requiresGrad = true
            let out = x.roiAlign(
                rois: try file.tensor("\(name).rois"), outputSize: (size, size),
                spatialScale: Float(p["spatial_scale"] as! Double), samplingRatio: p["sampling_ratio"] as! Int,
                aligned: p["aligned"] as! Bool)
            expectClose(out, try file.tensor("\(name).out"), "\(name) out")
            if let threshold = p["threshold"] as? Double {
                // Mask targets: mmdet thresholds the pooled binary mask at >= 0.5.
                let target = Tensor(shape: out.shape, out.scalars.map { $0 >= Float(threshold) ? 1 : 0 })
                expectClose(target, try file.tensor("\(name).target"), rtol: 0, atol: 0, "\(name) target")
            } else {
                out.backward(try file.tensor("\(name).grad_out"))
                expectClose(try #require(x.grad), try file.tensor("\(name).grad_x"), "\(name) grad_x")
            }
        }
    }

    @Test func nmsMatchesFixtures() throws {
        let file = try Fixtures.ops("nms.safetensors")
        let cases = try fixtureCases(file)
        #expect(cases.count == 4)
        for (name, p) in cases {
            let boxes = try file.tensor("\(name).boxes"), scores = try file.tensor("\(name).scores")
            let keep = Detection.nms(boxes: boxes, scores: scores, iouThreshold: Float(p["iou_threshold"] as! Double))
            #expect(keep == (try file.indices("\(name).keep")).values, "\(name) keep")
            expectDets(keep, boxes, scores, try file.tensor("\(name).dets"), name)
        }
    }

    @Test func batchedNMSMatchesFixtures() throws {
        let file = try Fixtures.ops("batched_nms.safetensors")
        let cases = try fixtureCases(file)
        #expect(cases.count == 4)
        for (name, p) in cases {
            let cfg = p["nms_cfg"] as! [String: Any]
            let boxes = try file.tensor("\(name).boxes"), scores = try file.tensor("\(name).scores")
            let idxs = try file.indices("\(name).idxs").values
            let agnostic = p["class_agnostic"] as! Bool
            let keep = Detection.batchedNMS(
                boxes: boxes, scores: scores, idxs: idxs, iouThreshold: Float(cfg["iou_threshold"] as! Double),
                classAgnostic: agnostic, splitThreshold: cfg["split_thr"] as? Int ?? 10_000)
            #expect(keep == (try file.indices("\(name).keep")).values, "\(name) keep")
            expectDets(keep, boxes, scores, try file.tensor("\(name).dets"), name)
            if !agnostic {
                let shifted = Detection.batchedNMSBoxes(boxes: boxes, idxs: idxs)
                expectClose(shifted, try file.tensor("\(name).boxes_for_nms"), rtol: 0, atol: 0, "\(name) boxes_for_nms")
            }
        }
    }

    /// MaxIoUAssigner's overlaps = bbox_overlaps(gt_bboxes, priors).
    @Test func boxIoUMatchesAssignerFixtures() throws {
        let file = try Fixtures.ops("max_iou_assigner.safetensors")
        let cases = try fixtureCases(file)
        #expect(cases.count == 4)
        for (name, _) in cases {
            let iou = Detection.boxIoU(try file.tensor("\(name).gt_bboxes"), try file.tensor("\(name).priors"))
            expectClose(iou, try file.tensor("\(name).overlaps"), rtol: 0, atol: 0, "\(name) overlaps")
        }
    }

    /// dets = [boxes[keep], scores[keep]], as mmcv returns them.
    private func expectDets(_ keep: [Int], _ boxes: Tensor, _ scores: Tensor, _ dets: Tensor, _ name: String) {
        let (b, s) = (boxes.scalars, scores.scalars)
        var rows: [Float] = []
        for k in keep { rows += b[(4 * k)..<(4 * k + 4)] + [s[k]] }
        expectClose(Tensor(shape: [keep.count, 5], rows), dets, rtol: 0, atol: 0, "\(name) dets")
    }
}
