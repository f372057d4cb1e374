import Autograd
import Foundation
import Kernels
import Models
import Testing
import TestSupport

/// Anchors and the box coder against mmdetection's outputs (Tests/Fixtures/ops).
@Suite struct TaskModuleTests {
    static func ops(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(path: TestFiles.fixture("ops/\(name)"))
    }

    @Test func anchorsAndValidFlagsAreBitwiseMmdetection() throws {
        let f = try Self.ops("anchors.safetensors")
        let gen = AnchorGenerator(strides: [4, 8, 16, 32, 64], ratios: [0.5, 1, 2], scales: [8])
        let sizes = [(32, 40), (16, 20), (8, 10), (4, 5), (2, 3)]
        for (l, s) in sizes.enumerated() {
            #expect(gen.baseAnchors(level: l) == (try f.tensor("fpn5_pad.base_anchors.l\(l)")).scalars, "base anchors l\(l)")
            let a = gen.anchors(level: l, featmapSize: (s.0, s.1))
            #expect(a.scalars == (try f.tensor("fpn5_pad.anchors.l\(l)")).scalars, "anchors l\(l)")
            let flags = gen.validFlags(level: l, featmapSize: (s.0, s.1), padShape: (96, 128))
            #expect(flags.map { $0 ? 1 : 0 } == (try f.indices("fpn5_pad.valid_flags.l\(l)")).values, "valid flags l\(l)")
        }
        // By hand: stride 4, ratio 1, scale 8 -> a 32x32 box centred on (0, 0).
        #expect(Array(gen.baseAnchors(level: 0)[4..<8]) == [-16, -16, 16, 16])
    }

    @Test func coderEncodeAndDecodeMatchMmdetection() throws {
        let f = try Self.ops("bbox_coder.safetensors")
        func t(_ k: String) throws -> Tensor { try f.tensor(k) }
        let rcnn = DeltaXYWHBBoxCoder(stds: [0.1, 0.1, 0.2, 0.2])
        let unit = DeltaXYWHBBoxCoder()
        let shifted = DeltaXYWHBBoxCoder(means: [0.05, -0.05, 0.1, -0.1], stds: [0.1, 0.1, 0.2, 0.2])
        expectEqualish(rcnn.encode(try t("encode_stds_0.1_0.2.bboxes"), try t("encode_stds_0.1_0.2.gt_bboxes")), try t("encode_stds_0.1_0.2.deltas"), "encode stds 0.1/0.2")
        expectEqualish(unit.encode(try t("encode_stds_1.bboxes"), try t("encode_stds_1.gt_bboxes")), try t("encode_stds_1.deltas"), "encode stds 1")
        expectEqualish(unit.decode(try t("decode_stds_1_clip.bboxes"), try t("decode_stds_1_clip.deltas"), maxShape: (96, 128)), try t("decode_stds_1_clip.decoded"), "decode clip")
        expectEqualish(unit.decode(try t("decode_stds_1_noclip.bboxes"), try t("decode_stds_1_noclip.deltas")), try t("decode_stds_1_noclip.decoded"), "decode no clip")
        let m = "encode_decode_means_nonzero"
        expectEqualish(shifted.encode(try t("\(m).bboxes"), try t("\(m).gt_bboxes")), try t("\(m).deltas"), "encode means")
        expectEqualish(shifted.decode(try t("\(m).bboxes"), try t("\(m).deltas"), maxShape: (96, 128)), try t("\(m).decoded"), "decode means")
        let r = "decode_rcnn_3cls_stds_0.1_0.2_clip"
        expectEqualish(rcnn.decode(try t("\(r).bboxes"), try t("\(r).deltas"), maxShape: (96, 128)), try t("\(r).decoded"), "decode 3 classes")
        // By hand: a box shifted by half its width and doubled in height.
        let d = unit.encode(Tensor(shape: [1, 4], [0, 0, 10, 10]), Tensor(shape: [1, 4], [5, -5, 15, 15]))
        #expect(Swift.abs(d.scalars[0] - 0.5) < 1e-7 && d.scalars[1] == 0 && d.scalars[2] == 0 && Swift.abs(d.scalars[3] - Foundation.log(2)) < 1e-7)
    }

    /// Within a few ulp (mmdetection's float32 op order is followed, but exp/log may differ by 1 ulp).
    func expectEqualish(_ a: Tensor, _ e: Tensor, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.shape == e.shape, "\(what): shape", sourceLocation: sourceLocation)
        for (x, y) in zip(a.scalars, e.scalars) where Swift.abs(x - y) > 4 * max(Swift.abs(y), 1) * Float.ulpOfOne {
            Issue.record("\(what): \(x) vs \(y)", sourceLocation: sourceLocation)
            return
        }
    }
}

/// MaxIoUAssigner on mmdetection's crafted cases, and the sampler's rules.
@Suite struct AssignerSamplerTests {
    @Test(arguments: [
        ("rpn", MaxIoUAssigner(posIoUThr: 0.7, negIoUThr: 0.3, minPosIoU: 0.3)),
        ("rpn_no_assign_all", MaxIoUAssigner(posIoUThr: 0.7, negIoUThr: 0.3, minPosIoU: 0.3, gtMaxAssignAll: false)),
        ("rcnn_low_quality", MaxIoUAssigner(posIoUThr: 0.5, negIoUThr: 0.5, minPosIoU: 0.5)),
        ("rcnn", MaxIoUAssigner(posIoUThr: 0.5, negIoUThr: 0.5, minPosIoU: 0.5, matchLowQuality: false)),
    ])
    func assignerMatchesMmdetection(name: String, assigner: MaxIoUAssigner) throws {
        let f = try TaskModuleTests.ops("max_iou_assigner.safetensors")
        let ov = try f.tensor("\(name).overlaps")
        let r = assigner.assign(overlaps: ov.scalars, numGts: ov.dim(0), numBoxes: ov.dim(1),
                                gtLabels: try f.indices("\(name).gt_labels").values)
        #expect(r.gtIndices == (try f.indices("\(name).gt_inds")).values, "\(name) gt_inds")
        #expect(r.labels == (try f.indices("\(name).labels")).values, "\(name) labels")
        #expect(r.maxOverlaps == (try f.tensor("\(name).max_overlaps")).scalars, "\(name) max_overlaps")
    }

    @Test func noGtsMakesEveryBoxNegative() {
        let r = MaxIoUAssigner(posIoUThr: 0.7, negIoUThr: 0.3).assign(overlaps: [], numGts: 0, numBoxes: 3, gtLabels: [])
        #expect(r.gtIndices == [0, 0, 0] && r.labels == [-1, -1, -1])
    }

    @Test func samplerQuotasAndDeterminism() {
        // 10 positives, 90 negatives, 5 ignored; quota 16 with 25% positives.
        let inds = (0..<10).map { _ in 1 } + (0..<90).map { _ in 0 } + (0..<5).map { _ in -1 }
        let a = AssignResult(numGts: 1, gtIndices: inds, maxOverlaps: [Float](repeating: 0, count: 105), labels: inds.map { $0 > 0 ? 2 : -1 })
        let s = RandomSampler(num: 16, posFraction: 0.25)
        var g1 = SeededGenerator(seed: 9), g2 = SeededGenerator(seed: 9)
        let r1 = s.sample(a, numPrependedGts: 0, using: &g1)
        let r2 = s.sample(a, numPrependedGts: 0, using: &g2)
        #expect(r1 == r2, "same seed, same sample")
        #expect(r1.positives.count == 4 && r1.negatives.count == 12)
        #expect(r1.positives == r1.positives.sorted() && r1.positives.allSatisfy { $0 < 10 })
        #expect(r1.negatives.allSatisfy { (10..<100).contains($0) } && Set(r1.negatives).count == 12)
        #expect(r1.positiveLabels == [2, 2, 2, 2] && r1.positiveGtIndices == [0, 0, 0, 0])
        // Pools under quota are taken whole, positives first filling up to num.
        let big = RandomSampler(num: 1000, posFraction: 0.5).sample(a, numPrependedGts: 0, using: &g1)
        #expect(big.positives == Array(0..<10) && big.negatives == Array(10..<100))
    }
}
