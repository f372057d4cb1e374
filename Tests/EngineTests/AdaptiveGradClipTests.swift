import Autograd
import Config
import Engine
import Foundation
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
