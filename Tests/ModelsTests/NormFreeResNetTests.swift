import Autograd
import Config
import Foundation
import Kernels
import Models
import NN
import Testing
import TestSupport

/// NormFreeResNet's config, init, freezing and checkpoint loading (its values against timm are
/// in NormFreeResNetFixtureTests).
@Suite struct NormFreeResNetTests {
    static func build(_ fields: String) throws -> NormFreeResNet {
        let c = try ConfigLoader(environment: [:]).load(text: "cfg = dict(type='NormFreeResNet', \(fields))", file: "test.py").view("cfg")
        return try #require(try ModelRegistry.backbones.build(c) as? NormFreeResNet)
    }

    static let tiny = "channels=(32, 64, 128, 256), stem_chs=16"

    @Test func timmArchitectures() throws {
        // nf_resnet50: 64-channel 7x7 stem, widths 256...2048, bottleneck 0.25, timm's parameter count.
        let r50 = try Self.build("arch='nf_resnet50'")
        #expect(r50.stageChannels == [256, 512, 1024, 2048] && r50.outChannels == [256, 512, 1024, 2048])
        #expect(r50.blocks.map(\.count) == [3, 4, 6, 3])
        #expect(r50.stem.convs.map { $0.weight.shape } == [[64, 3, 7, 7]])
        #expect(r50.blocks[1][0].conv2.weight.shape == [128, 128, 3, 3])
        // timm.create_model('nf_resnet50', num_classes=0): 23,508,032 parameters.
        #expect(r50.namedParameters().reduce(0) { $0 + $1.1.count } == 23_508_032)
        #expect(try Self.build("arch='nf_resnet26'").blocks.map(\.count) == [2, 2, 2, 2])
        #expect(try Self.build("arch='nf_resnet101'").blocks.map(\.count) == [3, 4, 23, 3])
        // The expected-std bookkeeping: the variance is 1 after each stage's first block and grows
        // by alpha^2 per block, so stage 2's blocks (after stage 1's four) divide by
        // sqrt(1 + 4 alpha^2), then sqrt(1 + alpha^2), sqrt(1 + 2 alpha^2), ...
        let expected = [4, 1, 2, 3, 4, 5].map { 1 / (1 + Float($0) * 0.04).squareRoot() }
        #expect(zip(r50.blocks[2].map(\.beta), expected).allSatisfy { Swift.abs($0 - $1) < 1e-6 })
        #expect(r50.blocks[0][0].beta == 1)
    }

    @Test func initSilencesEveryResidualBranch() throws {
        var rng = SeededGenerator(seed: 3)
        for skipinit in [false, true] {
            let net = try Self.build(Self.tiny + ", skipinit=\(skipinit ? "True" : "False")")
            try net.initWeights(using: &rng)
            for block in net.blocks.joined() {
                #expect(block.conv3.gain!.scalars.allSatisfy { $0 == (skipinit ? 1 : 0) })
                #expect(block.skipinitGain.map { $0.scalars == [0] } ?? !skipinit)
                #expect(block.conv1.gain!.scalars.allSatisfy { $0 == 1 } && block.conv1.bias!.scalars.allSatisfy { $0 == 0 })
            }
            // Kaiming-normal over the fan-in, linear: std 1 / sqrt(16 * 3 * 3) for stage 1's 3x3 conv.
            let w = net.blocks[1][0].conv2.weight.scalars
            let std = (w.map { Double($0 * $0) }.reduce(0, +) / Double(w.count)).squareRoot()
            #expect(Swift.abs(std * 12 - 1) < 0.05, "std \(std)")
            // Silent branches: a stage's later blocks pass their input through unchanged.
            let x = Tensor.normal([1, 3, 64, 64], std: 1, using: &rng)
            let (stage0, stage0first) = withNoGrad { (net(x)[0], net.blocks[0][0](net.stem(x))) }
            #expect(stage0.scalars == stage0first.scalars)
        }
    }

    @Test func frozenStagesAndOutIndices() throws {
        let net = try Self.build(Self.tiny + ", frozen_stages=1, out_indices=(1, 3)")
        #expect(net.outChannels == [64, 256])
        for (key, p) in net.namedParameters() {
            let frozen = key.hasPrefix("stem.") || key.hasPrefix("stages.0.")
            #expect(p.requiresGrad == !frozen, "\(key)")
        }
        net.train(true)
        #expect(!net.stem.training && net.blocks[1][0].training)
        let outs = withNoGrad { net(Tensor.zeros([1, 3, 64, 96])) }
        #expect(outs.map(\.shape) == [[1, 64, 8, 12], [1, 256, 2, 3]])
    }

    /// Sides smaller than the stride reach the ceil-mode average pools of the later stages'
    /// shortcuts with one row: timm gives these shapes for a 16x64 input.
    @Test func smallInputsKeepTimmsShapes() throws {
        let net = try Self.build(Self.tiny)
        let outs = withNoGrad { net(Tensor.zeros([1, 3, 16, 64])) }
        #expect(outs.map(\.shape) == [[1, 32, 4, 16], [1, 64, 2, 8], [1, 128, 1, 4], [1, 256, 1, 2]])
    }

    @Test func timmCheckpointLoadsThroughInitCfg() throws {
        let path = try TestFiles.fixture("nf/tiny_nf_resnet50.safetensors")
        let net = try Self.build(Self.tiny + ", init_cfg=dict(type='Pretrained', checkpoint='\(path)', prefix='param')")
        var rng = SeededGenerator(seed: 1)
        try net.initWeights(using: &rng)
        let f = try SafetensorsFile(path: path)
        for (key, p) in net.namedParameters() { #expect(p.scalars == (try f.tensor("param." + key)).scalars, "\(key)") }
    }

    @Test(arguments: [
        ("arch='nf_resnet18'", "arch"), ("depth=(3, 4, 6, 3)", "did you mean 'depths'"),
        ("attn_layer='se'", "attn_layer"), ("act_layer='gelu'", "act_layer"), ("stem_type='deep3'", "stem_type"),
        ("frozen_stages=5", "frozen_stages"), ("reg=True", "reg"),
        ("drop_path_rate=0.1", "drop_path_rate"), ("depths=(3, 4, 6)", "depths"), ("out_indices=(4,)", "out_indices"),
        ("num_features=1280", "num_features"), ("output_stride=16", "output_stride"),
        ("stem_type='deep_quad', stem_chs=4, ch_div=4", "stem_chs"), ("out_indices=(3, 1)", "must increase"),
        ("group_size=48", "wider than a block's width 8"),
        ("pretrained='a.pth', init_cfg=dict(type='Pretrained', checkpoint='b.pth')", "cannot be given together"),
    ])
    func badConfigsNameTheKey(_ field: String, _ expected: String) throws {
        #expect { _ = try Self.build(Self.tiny + ", " + field) } throws: { "\($0)".contains(expected) }
    }
}

/// `model-info` of the NF configs: the backbone's keys are timm's nf_resnet50 keys (nf.json's,
/// which do not depend on the widths) under `backbone.`, and every other key is the one of the
/// mmdetection config with the same neck and heads.
@Suite struct NormFreeConfigKeysTests {
    @Test(arguments: [
        ("nf/faster-rcnn_nf-r50_fpn_1x_coco.py", "faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py"),
        ("nf/mask-rcnn_nf-r50_fpn_2x_coco.py", "gn+ws/mask-rcnn_r50_fpn_gn-ws-all_2x_coco.py"),
    ])
    func backboneKeysAreTimmsAndTheRestMmdetections(_ nf: String, _ reference: String) throws {
        func keys(_ config: String) throws -> [String] {
            let path = try TestFiles.project("configs/" + config)
            return try ModelRegistry.detectors.build(try ConfigLoader().load(file: path).view("model")).stateDict().map(\.key)
        }
        let (ours, theirs) = (try keys(nf), try keys(reference))
        let timm = try NormFreeResNetFixtureTests.timmKeys("tiny_nf_resnet50")
        #expect(ours.filter { $0.hasPrefix("backbone.") } == timm.map { "backbone." + $0 })
        #expect(ours.filter { !$0.hasPrefix("backbone.") } == theirs.filter { !$0.hasPrefix("backbone.") })
    }
}
