import Autograd
import Config
import Engine
import Foundation
import Models
import NN
import Testing
import TestSupport

/// `clip_grad=dict(type='agc')` against timm's `adaptive_clip_grad` (Tests/Fixtures/nf/agc):
/// a conv, a linear layer, a bias and a scalar gain, clip factors 0.01 and 0.16.
@Suite struct AdaptiveGradClipTests {
    static let fixture = TestFiles.fixtures.appendingPathComponent("nf/agc.safetensors").path

    @Test(arguments: ["0.01", "0.16"])
    func clipsEachUnitAsTimm(factor: String) throws {
        let file = try SafetensorsFile(path: Self.fixture)
        var changed = 0, kept = 0
        for kind in ["conv", "linear", "bias", "scalar_gain"] {
            let key = "clip\(factor).\(kind)"
            let param = try file.tensor(key + ".param"), before = try file.tensor(key + ".grad_before")
            let expected = try file.tensor(key + ".grad_after").scalars
            let p = Tensor(shape: param.shape, param.scalars, requiresGrad: true)
            p.grad = Tensor(shape: before.shape, before.scalars)
            let clip = GradClip.agc(clipFactor: Double(factor)!, eps: 1e-3, exclude: [])
            #expect(clip.apply(to: [(name: kind, tensor: p)]) == nil)
            let got = p.grad!.scalars
            for i in got.indices {
                #expect(abs(got[i] - expected[i]) <= 1e-6 * max(abs(expected[i]), 1e-12), "\(key)[\(i)]: \(got[i]) vs \(expected[i])")
            }
            if got == before.scalars { kept += 1 } else { changed += 1 }
        }
        // The fixture clips some parameters and leaves others: both paths are exercised.
        #expect(changed > 0)
        if factor == "0.16" { #expect(kept > 0 || changed == 4) }
    }

    @Test func excludedLayersAreNotClippedAndTheConfigIsRead() throws {
        let view = try configView("o = dict(optimizer=dict(type='SGD', lr=0.1), clip_grad=dict(type='agc', clip_factor=0.02))", "o")
        let wrapper = try OptimWrapper(config: view, model: TestNet(seed: 1))
        #expect(wrapper.clipGrad == .agc(clipFactor: 0.02, eps: 1e-3, exclude: ["fc_cls", "fc_reg", "conv_logits"]))
        let w = Tensor(shape: [1, 2], [1, 0], requiresGrad: true)
        for (name, clipped) in [("roi_head.bbox_head.fc_cls.weight", false), ("roi_head.bbox_head.shared_fcs.0.weight", true)] {
            w.grad = Tensor(shape: [1, 2], [3, 4])
            GradClip.agc(clipFactor: 0.02, eps: 1e-3, exclude: GradClip.agcDefaultExclude).apply(to: [(name: name, tensor: w)])
            // ||W|| = 1, so a clipped gradient has norm 0.02: (3, 4) * 0.02 / 5.
            let expected: [Float] = clipped ? [3 * Float(0.02 / 5.0), 4 * Float(0.02 / 5.0)] : [3, 4]
            #expect(w.grad!.scalars == expected, "\(name)")
        }
        let bad = try configView("o = dict(optimizer=dict(type='SGD', lr=0.1), clip_grad=dict(type='agc', clip_factor=0))", "o")
        #expect { _ = try OptimWrapper(config: bad, model: TestNet(seed: 1)) } throws: { "\($0)".contains("clip_factor") }
    }
}

/// Two SGD steps (lr 0.05, momentum 0.9, weight decay 1e-4) with AGC (0.01) on timm's tiny
/// nf_resnet50 equal timm's adaptive_clip_grad + torch.optim.SGD (Tests/Fixtures/nf/
/// agc_sgd_step.safetensors, made by make_nf_fixtures.py; AGC clips 6,580 units in step 1).
@Suite struct AdaptiveGradClipSGDTests {
    @Test func twoStepsEqualTimmAndTorch() throws {
        let weights = try SafetensorsFile(path: TestFiles.fixture("nf/tiny_nf_resnet50.safetensors"))
        let expected = try SafetensorsFile(path: TestFiles.fixture("nf/agc_sgd_step.safetensors"))
        let net = try NormFreeResNet(config: try configView(
            "b = dict(type='NormFreeResNet', channels=(32, 64, 128, 256), stem_chs=16)", "b"))
        _ = try net.loadStateDict(from: weights, prefix: "param.", strict: false)
        let wrapper = try OptimWrapper(config: try configView(
            "o = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4), "
                + "clip_grad=dict(type='agc', clip_factor=0.01, eps=1e-3))", "o"), model: net)
        let x = try weights.tensor("input")
        for step in 1...2 {
            wrapper.zeroGrad()
            var loss: Tensor? = nil
            for (i, out) in net(x).enumerated() {
                let term = (out * (try weights.tensor("dout.\(i)"))).sum()
                loss = loss.map { $0 + term } ?? term
            }
            try #require(loss).backward()
            wrapper.step()
            // AGC bounds each unit's update to lr * 0.01 * ||W||, so a weight moves by a small
            // fraction of itself and its error is float32's rounding of it plus a share of the
            // gradients' 1e-5 (NormFreeResNetFixtureTests): measured 3e-8 at worst (Cooperlake).
            // Without the clip every tensor ends 2.5e-3 or more away, so 1e-5 separates them.
            for (key, p) in net.namedParameters() {
                let e = try expected.tensor("step\(step).\(key)").scalars, a = p.scalars
                var num = 0.0, den = 0.0
                for i in a.indices {
                    num += Double(a[i] - e[i]) * Double(a[i] - e[i])
                    den += Double(e[i]) * Double(e[i])
                }
                #expect((num / max(den, 1e-30)).squareRoot() <= 1e-5, "step \(step) \(key)")
            }
        }
    }
}
