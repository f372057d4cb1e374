import Autograd
import Engine
import Kernels
import NN
import Testing

@Suite struct SGDTests {
    /// p = [1, -2], lr 0.5, weight_decay 0.25, momentum 0.5 (all exact in binary), grads
    /// [0.5, 1] then [0.25, -0.5]. torch.optim.SGD by hand:
    ///   step 1: d = g + 0.25 p = [0.75, 0.5]; buf = d; p -= 0.5 buf -> [0.625, -2.25]
    ///   step 2: d = [0.25 + 0.15625, -0.5 - 0.5625] = [0.40625, -1.0625]
    ///           buf = 0.5 [0.75, 0.5] + d = [0.78125, -0.8125]; p -= 0.5 buf -> [0.234375, -1.84375]
    ///   nesterov, step 1: d + 0.5 buf = [1.125, 0.75]; p -> [0.4375, -2.375]
    ///   nesterov, step 2: d = [0.359375, -1.09375]; buf = [0.734375, -0.84375];
    ///           d + 0.5 buf = [0.7265625, -1.515625]; p -> [0.07421875, -1.6171875]
    func run(nesterov: Bool) -> (Tensor, SGD) {
        let p = Tensor(shape: [2], [1, -2], requiresGrad: true)
        let sgd = SGD(groups: [ParamGroup(names: ["p"], params: [p], lr: 0.5, weightDecay: 0.25, momentum: 0.5, nesterov: nesterov)])
        p.grad = Tensor(shape: [2], [0.5, 1])
        sgd.step()
        p.grad = Tensor(shape: [2], [0.25, -0.5])
        sgd.step()
        return (p, sgd)
    }

    @Test func momentumAndWeightDecayAsTorch() {
        let (p, sgd) = run(nesterov: false)
        #expect(p.scalars == [0.234375, -1.84375])
        #expect(sgd.momentumBuffers[0][0]?.scalars == [0.78125, -0.8125])
    }

    @Test func nesterovAsTorch() {
        let (p, sgd) = run(nesterov: true)
        #expect(p.scalars == [0.07421875, -1.6171875])
        #expect(sgd.momentumBuffers[0][0]?.scalars == [0.734375, -0.84375])
    }

    @Test func plainSGDAndDampening() {
        // No momentum: p -= lr (g + wd p) = 1 - 0.5 (0.5 + 0.25) = 0.625; no buffer kept.
        let p = Tensor(shape: [1], [1], requiresGrad: true)
        let sgd = SGD(groups: [ParamGroup(names: ["p"], params: [p], lr: 0.5, weightDecay: 0.25)])
        p.grad = Tensor(shape: [1], [0.5])
        sgd.step()
        #expect(p.scalars == [0.625] && sgd.momentumBuffers[0][0] == nil)
        // Dampening 0.5: buf = g on step 1 (undamped, as torch), then 0.5 buf + 0.5 g.
        let q = Tensor(shape: [1], [0], requiresGrad: true)
        let damped = SGD(groups: [ParamGroup(names: ["q"], params: [q], lr: 1, momentum: 0.5, dampening: 0.5)])
        q.grad = Tensor(shape: [1], [1])
        damped.step()  // buf 1, q = -1
        damped.step()  // buf 0.5 + 0.5 = 1, q = -2
        q.grad = Tensor(shape: [1], [3])
        damped.step()  // buf 0.5 + 1.5 = 2, q = -4
        #expect(q.scalars == [-4] && damped.momentumBuffers[0][0]?.scalars == [2])
    }

    @Test func parametersWithoutGradOrFrozenAreSkipped() {
        let a = Tensor(shape: [1], [1], requiresGrad: true)
        let frozen = Tensor(shape: [1], [1], requiresGrad: false)
        frozen.grad = Tensor(shape: [1], [1])
        let sgd = SGD(groups: [ParamGroup(names: ["a", "f"], params: [a, frozen], lr: 1, weightDecay: 1, momentum: 0.9)])
        sgd.step()
        #expect(a.scalars == [1] && frozen.scalars == [1])
        #expect(sgd.momentumBuffers[0].allSatisfy { $0 == nil })
    }
}

@Suite struct ParamGroupTests {
    /// mmengine DefaultOptimWrapperConstructor by hand over TestNet (lr 0.02, wd 1e-4):
    /// custom keys sorted alphabetically then longest first, so 'fc' beats 'f' on
    /// "fc.weight"; a custom match skips the other rules; norm layers (BN, GN, SN) take
    /// norm_decay_mult and no bias_lr_mult; other biases take bias_lr_mult/bias_decay_mult;
    /// the depth-wise conv takes dwconv_decay_mult; the root's 1-D `scale` takes
    /// flat_decay_mult; the frozen conv is left out.
    @Test func paramwiseRulesAsMMEngine() throws {
        let cfg = try configView("""
            optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001),
                paramwise_cfg=dict(custom_keys={'f': dict(lr_mult=3.0), 'fc': dict(lr_mult=0.1, decay_mult=0.0)},
                    bias_lr_mult=2.0, bias_decay_mult=0.5, norm_decay_mult=0.0, dwconv_decay_mult=0.25, flat_decay_mult=0.75))
            """, "optim_wrapper")
        let wrapper = try OptimWrapper(config: cfg, model: TestNet(seed: 1))
        let got = wrapper.groups.map { ($0.names[0], $0.lr, $0.weightDecay) }
        let lr = 0.02, wd = 0.0001
        let expected: [(String, Double, Double)] = [
            ("scale", lr, wd * 0.75),
            ("conv.weight", lr, wd), ("conv.bias", lr * 2.0, wd * 0.5),
            ("bn.weight", lr, 0), ("bn.bias", lr, 0), ("gn.weight", lr, 0), ("gn.bias", lr, 0),
            ("dw.weight", lr, wd * 0.25),
            ("fc.weight", lr * 0.1, 0), ("fc.bias", lr * 0.1, 0),
            ("sn.weight", lr, 0), ("sn.bias", lr, 0), ("sn.mean_weight", lr, 0), ("sn.var_weight", lr, 0),
        ]
        #expect(got.map(\.0) == expected.map(\.0))
        for (g, e) in zip(got, expected) { #expect(g.1 == e.1 && g.2 == e.2, "\(g.0): lr \(g.1) wd \(g.2)") }
        #expect(wrapper.groups.allSatisfy { $0.momentum == 0.9 && $0.params.count == 1 })
    }

    @Test func noParamwiseIsOneGroupOfAllParameters() throws {
        let cfg = try configView("o = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001), paramwise_cfg=dict())", "o")
        let net = try TestNet(seed: 1)
        let wrapper = try OptimWrapper(config: cfg, model: net)
        #expect(wrapper.groups.count == 1)
        #expect(wrapper.groups[0].names == net.namedParameters().map(\.0))  // frozen ones too
        #expect(wrapper.groups[0].weightDecay == 0.0001 && wrapper.currentLR == 0.02)
    }

    @Test func sharedParameters() throws {
        let shared = try SharedNet()
        let single = try ParamGroups.build(model: shared, baseLR: 1, baseWeightDecay: nil, paramwise: nil)
        #expect(single[0].names == ["a.weight", "a.bias"])
        #expect(throws: ParamGroupError.self) {
            try ParamGroups.build(model: shared, baseLR: 1, baseWeightDecay: nil, paramwise: ParamwiseConfig(biasLRMult: 2))
        }
        let bypass = try ParamGroups.build(model: shared, baseLR: 1, baseWeightDecay: nil,
                                           paramwise: ParamwiseConfig(biasLRMult: 2, bypassDuplicate: true))
        #expect(bypass.map(\.names) == [["a.weight"], ["a.bias"]] && bypass.map(\.lr) == [1, 2])
    }
}

@Suite struct OptimWrapperTests {
    @Test func clipGradNormAsTorch() throws {
        // Gradients [3, 4] and [0, 12]: total L2 norm 13. max_norm 6.5 gives
        // coef = 6.5 / (13 + 1e-6) (Float), every gradient scaled by it; the norm is returned.
        let a = Tensor(shape: [2], [0, 0], requiresGrad: true), b = Tensor(shape: [2], [0, 0], requiresGrad: true)
        let w = OptimWrapper(groups: [ParamGroup(names: ["a", "b"], params: [a, b], lr: 1)],
                             clipGrad: .norm(maxNorm: 6.5, normType: 2))
        a.grad = Tensor(shape: [2], [3, 4])
        b.grad = Tensor(shape: [2], [0, 12])
        #expect(w.step() == 13)
        let coef = Float(6.5) / (Float(13) + 1e-6)
        #expect(a.scalars == [-3 * coef, -4 * coef] && b.scalars == [0, -12 * coef])
        // Below max_norm nothing changes.
        a.grad = Tensor(shape: [2], [3, 4])
        b.grad = nil
        #expect(w.step() == 5 && a.grad?.scalars == [3, 4])
        w.zeroGrad()
        #expect(a.grad == nil && b.grad == nil)
    }

    @Test func configClipAndLearningRates() throws {
        let cfg = try configView("o = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001), clip_grad=dict(max_norm=35, norm_type=2))", "o")
        let w = try OptimWrapper(config: cfg, model: TestNet(seed: 2))
        #expect(w.clipGrad == .norm(maxNorm: 35, normType: 2))
        w.scaleLR(by: 0.125)
        #expect(w.learningRates == [0.0025])
        w.learningRates = [0.5]
        #expect(w.currentLR == 0.5)
        let none = try configView("o = dict(optimizer=dict(type='SGD', lr=0.02), clip_grad=None)", "o")
        #expect(try OptimWrapper(config: none, model: TestNet(seed: 2)).clipGrad == nil)
    }

    @Test func configErrorsNameTheKey() throws {
        func error(_ text: String) -> String {
            do { _ = try OptimWrapper(config: try configView("o = " + text, "o"), model: TestNet(seed: 3)); return "" } catch {
                return "\(error)"
            }
        }
        #expect(error("dict(optimizer=dict(type='AdamW', lr=0.001))").contains("o.optimizer: unknown OPTIMIZERS type 'AdamW' (SwiftDet has SGD)"))
        #expect(error("dict(optimizer=dict(type='SGD', lr=0.02, momentun=0.9))").contains("unknown key 'momentun'"))
        #expect(error("dict(optimizer=dict(type='SGD', lr=0.02), grad_clip=None)").contains("unknown key 'grad_clip'"))
        #expect(error("dict(type='AmpOptimWrapper', optimizer=dict(type='SGD', lr=0.02))").contains("o.type"))
        #expect(error("dict(optimizer=dict(type='SGD', lr=0.02), clip_grad=dict(max_norm=1, type='abs'))").contains("clip_grad.type"))
        #expect(error("dict(optimizer=dict(type='SGD', lr=0.02), paramwise_cfg=dict(norm_decay_mult=0))").contains("weight_decay"))
        #expect(error("dict(optimizer=dict(type='SGD', momentum=0.9))").contains("o.optimizer.lr: missing required key"))
        // torch.optim.SGD's checks: no negative learning rate, momentum or weight decay.
        #expect(error("dict(optimizer=dict(type='SGD', lr=-1))").contains("o.optimizer.lr: -1.0 is not allowed"))
        #expect(error("dict(optimizer=dict(type='SGD', lr=0.02, momentum=-0.9))").contains("o.optimizer.momentum"))
        #expect(error("dict(optimizer=dict(type='SGD', lr=0.02, weight_decay=-1e-4))").contains("o.optimizer.weight_decay"))
    }
}
