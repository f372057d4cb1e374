import Autograd
import Config
import Kernels
import Models
import NN
import Testing

/// `reg_class_agnostic=True` (Cascade R-CNN's box heads): one 4-vector of deltas per RoI for
/// every class. Such a head must give exactly what a class-specific head gives when that head's
/// `fc_reg` rows are the agnostic rows repeated for each class: the same loss, the same
/// detections, and the agnostic weight gradient equal to the sum of the class blocks'.
@Suite struct ClassAgnosticBBoxHeadTests {
    static let numClasses = 3

    static func head(agnostic: Bool) throws -> ConvFCBBoxHead {
        let dict: ConfigDict = ["type": "Shared2FCBBoxHead", "in_channels": 4, "roi_feat_size": 2, "fc_out_channels": 8,
                                "num_classes": .int(numClasses), "reg_class_agnostic": .bool(agnostic)]
        return try #require(try ModelRegistry.bboxHeads.build(ConfigView(dict: dict, source: "test")) as? ConvFCBBoxHead)
    }

    /// The agnostic head (random weights) and the class-specific head that tiles its fc_reg.
    static func pair() throws -> (ConvFCBBoxHead, ConvFCBBoxHead) {
        let (a, s) = (try head(agnostic: true), try head(agnostic: false))
        var rng = SeededGenerator(seed: 3)
        a.initWeights(using: &rng)
        Init.fillNormal(a.fcReg.weight, mean: 0, std: 0.3, using: &rng)
        Init.fillNormal(try #require(a.fcReg.bias), mean: 0, std: 0.3, using: &rng)
        for (name, t) in a.namedParameters() where !name.hasPrefix("fc_reg") {
            let target = try #require(s.namedParameters().first { $0.0 == name }?.1)
            target.update { b in for (i, v) in t.scalars.enumerated() { b[i] = v } }
        }
        let (w, bias) = (a.fcReg.weight.scalars, try #require(a.fcReg.bias).scalars)
        s.fcReg.weight.update { b in for i in b.indices { b[i] = w[i % w.count] } }
        try #require(s.fcReg.bias).update { b in for i in b.indices { b[i] = bias[i % 4] } }
        return (a, s)
    }

    static func samples(_ r: Int) -> RoISamples {
        let labels = (0..<r).map { $0 % (numClasses + 1) }  // label numClasses = background
        var rois: [Float] = []
        for i in 0..<r {
            let f = Float(i)
            rois += [0, 2 * f, f, 2 * f + 20, f + 16]
        }
        return RoISamples(rois: Tensor(shape: [r, 5], rois), labels: labels,
                          bboxTargets: (0..<(4 * r)).map { Float(($0 * 7) % 11) / 10 - 0.5 },
                          isPositive: labels.map { $0 < numClasses }, perImage: [], positiveBoxes: [])
    }

    @Test func agnosticHeadEqualsTiledClassSpecificHead() throws {
        let (a, s) = try Self.pair()
        #expect(a.fcReg.weight.shape == [4, 8] && s.fcReg.weight.shape == [12, 8])
        var rng = SeededGenerator(seed: 5)
        let r = 8
        let x = Tensor.zeros([r, 4, 2, 2])
        Init.fillNormal(x, mean: 0, std: 1, using: &rng)
        let (ca, ra) = a(x), (cs, rs) = s(x)
        #expect(ra.shape == [r, 4] && rs.shape == [r, 12])
        // The two fc_reg products have other shapes, so a BLAS kernel may round them
        // differently: equal within float32 error (8-term dot products of O(1) values).
        let (pa, ps) = (ra.scalars, rs.scalars)
        for i in 0..<r {
            for k in 0..<Self.numClasses {
                for j in 0..<4 { #expect(Swift.abs(ps[i * 12 + 4 * k + j] - pa[i * 4 + j]) <= 1e-5, "delta \(i) \(k) \(j)") }
            }
        }
        let samples = Self.samples(r)
        let la = a.loss(clsScore: ca, bboxPred: ra, samples: samples), ls = s.loss(clsScore: cs, bboxPred: rs, samples: samples)
        #expect(Swift.abs(la.bbox.scalars[0] - ls.bbox.scalars[0]) <= 1e-5 * ls.bbox.scalars[0])
        #expect(la.cls.scalars == ls.cls.scalars && la.accuracy == ls.accuracy)  // the same computation
        #expect(la.bbox.scalars[0] > 0)
        (la.bbox + la.cls).backward()
        (ls.bbox + ls.cls).backward()
        let ga = try #require(a.fcReg.weight.grad).scalars, gs = try #require(s.fcReg.weight.grad).scalars
        for i in ga.indices {
            let summed = (0..<Self.numClasses).reduce(Float(0)) { $0 + gs[$1 * ga.count + i] }
            #expect(Swift.abs(ga[i] - summed) <= 1e-5 * (1 + Swift.abs(summed)), "fc_reg grad \(i): \(ga[i]) vs \(summed)")
        }
        let rois = samples.rois
        let cfg = RCNNTestConfig(scoreThreshold: 0, iouThreshold: 0.5, maxPerImage: 100)
        let da = a.predict(clsScore: ca, bboxPred: ra, rois: rois, imgShape: (40, 60), rescaleBy: (0.5, 0.5), config: cfg)
        let ds = s.predict(clsScore: cs, bboxPred: rs, rois: rois, imgShape: (40, 60), rescaleBy: (0.5, 0.5), config: cfg)
        #expect(da.count > 0 && da.scores == ds.scores && da.labels == ds.labels)
        // Boxes of up to 60 pixels from deltas equal within 1e-5: within 1e-3 pixels.
        #expect(da.boxes.shape == ds.boxes.shape && zip(da.boxes.scalars, ds.boxes.scalars).allSatisfy { Swift.abs($0 - $1) <= 1e-3 })
    }
}
