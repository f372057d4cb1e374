import Autograd
import Config
import Foundation
import Kernels
import NN
import Testing
import TestSupport

@Suite struct NormAndConvSpecTests {
    @Test func normSpecsFromConfig() throws {
        let bn = try NormSpec(config: view("cfg = dict(type='BN', requires_grad=False)"))
        #expect(bn.options as? BatchNorm2d.Options == BatchNorm2d.Options(momentum: 0.1) && !bn.requiresGrad && bn.abbreviation == "bn")
        let layer = bn.make(channels: 8)
        #expect(layer.namedParameters().allSatisfy { !$0.1.requiresGrad }, "frozen BN: affine fixed")
        let gn = try NormSpec(config: view("cfg = dict(type='GN', num_groups=32, requires_grad=True)"))
        #expect(gn.options as? GroupNorm.Options == GroupNorm.Options(groups: 32) && gn.abbreviation == "gn")
        let sn = try NormSpec(config: view("cfg = dict(type='SN', using_moving_average=True, using_bn=False)"))
        #expect(sn.options as? SwitchNorm2d.Options == SwitchNorm2d.Options(usingMovingAverage: true, usingBN: false, momentum: 0.9, lastGamma: false))
        let snLayer = sn.make(channels: 4)
        #expect(snLayer.stateDict().map(\.key) == ["weight", "bias", "mean_weight", "var_weight"])
        #expect(SwitchNorm2d(4).stateDict().map(\.key) == ["weight", "bias", "mean_weight", "var_weight", "running_mean", "running_var"])
    }

    @Test func badNormConfigsNameTheKey() throws {
        #expect(throws: ConfigError.self) { try NormSpec(config: view("cfg = dict(type='GN')")) }  // num_groups missing
        do {
            _ = try NormSpec(config: view("cfg = dict(type='BN', num_groups=2)"))
            Issue.record("unknown key accepted")
        } catch let e as ConfigError {
            #expect("\(e)".contains("num_groups"))
        }
        do {
            _ = try NormSpec(config: view("cfg = dict(type='LayerNorm2')"))
            Issue.record("unknown type accepted")
        } catch let e as ConfigError {
            #expect("\(e)".contains("LayerNorm2"))
        }
    }

    @Test func convWSStandardizesTheWeightLikeMmcv() throws {
        #expect(try ConvSpec(config: view("cfg = dict(type='ConvWS')")) == .weightStandardized(eps: 1e-5))
        #expect(try ConvSpec(config: nil) == .plain)
        // The conv_ws fixture through the module: same output as mmcv's ConvWS2d.
        let f = try NNFixtures.ops("conv_ws.safetensors")
        let conv = try Conv2d(8, 6, kernelSize: 3, padding: 1, bias: false, spec: .weightStandardized(eps: 1e-5))
        let w = try f.tensor("k3s1p1.weight")
        w.withUnsafeBufferPointer { src in conv.weight.update { _ = $0.update(fromContentsOf: src) } }
        let y = conv(try f.tensor("k3s1p1.x"))
        let e = try f.tensor("k3s1p1.out")
        let worst = zip(y.scalars, e.scalars).map { Swift.abs($0 - $1) / max(1, Swift.abs($1)) }.max()!
        #expect(worst < 1e-5, "ConvWS module vs mmcv: worst relative error \(worst)")
    }

    /// timm's ScaledStdConv2d as `conv_cfg=dict(type='ScaledWS')`: key order weight, bias,
    /// gain; the gain starts at gain_init; the output by hand.
    @Test func scaledWSConvByHand() throws {
        #expect(try ConvSpec(config: view("cfg = dict(type='ScaledWS')")) == .scaledWeightStandardized(gamma: 1, eps: 1e-6, gainInit: 1))
        let spec = try ConvSpec(config: view("cfg = dict(type='ScaledWS', gamma=1.0, eps=0.0, gain_init=2.0)"))
        #expect(throws: ConfigError.self) { try ConvSpec(config: view("cfg = dict(type='ScaledWS', gain=2.0)")) }
        let conv = try Conv2d(4, 1, kernelSize: 1, spec: spec)
        #expect(conv.stateDict().map(\.key) == ["weight", "bias", "gain"])
        #expect(conv.gain!.shape == [1, 1, 1, 1] && conv.gain!.scalars == [2])
        conv.weight.update { b in for i in 0..<4 { b[i] = Float(i + 1) } }
        conv.bias!.update { $0[0] = 0.5 }
        // w = (1, 2, 3, 4): mean 2.5, biased variance 1.25; gain 2 * gamma 1 / sqrt(fan-in 4) = 1,
        // so w_hat = (w - 2.5) / sqrt(1.25) and x = (1, 2, 0, 0) gives (-1.5 - 2 * 0.5) / sqrt(1.25)
        // = -sqrt(5), plus the bias.
        let y = conv(Tensor(shape: [1, 4, 1, 1], [1, 2, 0, 0]))
        #expect(Swift.abs(y.scalars[0] - (0.5 - Float(5).squareRoot())) < 1e-6)
    }

    @Test func initializerStatistics() {
        var rng = SeededGenerator(seed: 11)
        let w = Tensor.zeros([64, 32, 3, 3])
        Init.kaiming(w, mode: .fanOut, nonlinearity: "relu", using: &rng)
        let v = w.scalars
        let mean = v.reduce(0, +) / Float(v.count)
        let std = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(v.count)).squareRoot()
        let expected = (2 / Float(64 * 9)).squareRoot()  // gain sqrt(2) / sqrt(fan_out)
        #expect(Swift.abs(std / expected - 1) < 0.03, "kaiming std \(std) vs \(expected)")
        let fc = Tensor.zeros([10, 40])
        Init.pytorchDefault(weight: fc, bias: nil, using: &rng)
        #expect(fc.scalars.allSatisfy { Swift.abs($0) <= 1 / Float(40).squareRoot() })
        #expect(Init.fans([6, 4, 2, 2]) == (16, 24))
    }
}

/// Op fixtures from Tests/Fixtures/ops.
enum NNFixtures {
    static func ops(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(path: TestFiles.fixture("ops/\(name)"))
    }
}
