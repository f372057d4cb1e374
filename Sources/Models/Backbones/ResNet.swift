import Autograd
import Config
import NN
import Kernels

/// ResNet and ResNeXt backbones (He et al. 2016; Xie et al. 2017) as mmdetection's `ResNet` /
/// `ResNeXt`: stem (7x7/2 conv, norm, ReLU, 3x3/2 max-pool), four stages of residual blocks,
/// outputs of the stages in `outIndices`. Keys: `conv1`, `bn1` (or `gn1`, `sn1`),
/// `layer1.0.conv1`, ..., `layerN.0.downsample.{0,1}`.
public final class ResNet: Backbone {
    public struct Options: Sendable {
        public var depth = 50
        public var inChannels = 3
        public var baseChannels = 64
        public var stemChannels: Int? = nil
        public var numStages = 4
        public var strides = [1, 2, 2, 2]
        public var dilations = [1, 1, 1, 1]
        public var outIndices = [0, 1, 2, 3]
        public var caffeStyle = false
        public var frozenStages = -1
        public var conv: ConvSpec = .plain
        public var norm = NormSpec(BatchNorm2d.Options())
        public var normEval = true
        public var zeroInitResidual = true
        /// ResNeXt: groups of the 3x3 conv and width per group (groups 1 is plain ResNet).
        public var groups = 1
        public var baseWidth = 4
        /// `init_cfg=dict(type='Pretrained', checkpoint=..., prefix=...)`: a local safetensors file.
        public var pretrained: (checkpoint: String, prefix: String?)? = nil
        public init() {}
    }

    public var training = true
    public let options: Options
    let conv1: Conv2d
    let norm1: any NormLayer
    let layers: [ModuleList]
    let blocks: [[any ResidualBlock]]

    static let architectures: [Int: (bottleneck: Bool, depths: [Int])] = [
        18: (false, [2, 2, 2, 2]), 34: (false, [3, 4, 6, 3]), 50: (true, [3, 4, 6, 3]),
        101: (true, [3, 4, 23, 3]), 152: (true, [3, 8, 36, 3]),
    ]

    public init(_ o: Options) throws {
        guard let arch = Self.architectures[o.depth] else {
            fatalError("ResNet: invalid depth \(o.depth) (18, 34, 50, 101 or 152)")
        }
        checkInvariant((1...4).contains(o.numStages) && o.strides.count >= o.numStages && o.dilations.count >= o.numStages,
                     "ResNet: num_stages \(o.numStages) with strides \(o.strides) and dilations \(o.dilations)")
        options = o
        let stem = o.stemChannels ?? o.baseChannels
        conv1 = try Conv2d(o.inChannels, stem, kernelSize: 7, stride: 2, padding: 3, bias: false, spec: o.conv)
        norm1 = o.norm.make(channels: stem)
        let spec = BlockSpec(conv: o.conv, norm: o.norm, caffeStyle: o.caffeStyle, groups: o.groups,
                             baseWidth: o.baseWidth, baseChannels: o.baseChannels)
        var inC = stem
        var blocks: [[any ResidualBlock]] = []
        for i in 0..<o.numStages {
            let planes = o.baseChannels << i
            let expansion = arch.bottleneck ? 4 : 1
            var stage: [any ResidualBlock] = []
            for b in 0..<arch.depths[i] {
                let stride = b == 0 ? o.strides[i] : 1
                let down = (b == 0 && (stride != 1 || inC != planes * expansion))
                    ? try makeDownsample(inC, planes * expansion, stride: stride, spec: spec) : nil
                stage.append(arch.bottleneck
                    ? try Bottleneck(inC, planes, stride: stride, dilation: o.dilations[i], downsample: down, spec: spec)
                    : try BasicBlock(inC, planes, stride: stride, dilation: o.dilations[i], downsample: down, spec: spec))
                inC = planes * expansion
            }
            blocks.append(stage)
        }
        self.blocks = blocks
        layers = blocks.map { ModuleList($0) }
        freezeStages()
    }

    public var children: [(String, any Module)] {
        [("conv1", conv1), (options.norm.abbreviation + "1", norm1)]
            + layers.enumerated().map { ("layer\($0.offset + 1)", $0.element) }
    }

    public var outChannels: [Int] { options.outIndices.map { stageChannels[$0] } }

    /// Channels of each stage's output.
    public var stageChannels: [Int] {
        blocks.map { stage in (stage.last as? Bottleneck)?.conv3.outChannels ?? (stage.last as! BasicBlock).conv2.outChannels }
    }

    /// Feature maps of the stages in `outIndices` (strides 4, 8, 16, 32 for the defaults).
    public func callAsFunction(_ x: Tensor) -> [Tensor] {
        var h = norm1.normReLU(conv1(x)).maxPool2d(kernel: 3, stride: 2, padding: 1)
        var outs: [Tensor] = []
        for (i, stage) in blocks.enumerated() {
            for block in stage { h = block(h) }
            if options.outIndices.contains(i) { outs.append(h) }
        }
        return outs
    }

    /// Re-applies frozen stages and norm_eval after a mode change, as mmdetection's
    /// ResNet.train(): frozen parts stay in eval mode without gradients, and with `normEval`
    /// every BatchNorm uses its running statistics (GN and SN are unaffected).
    public func didChangeMode() {
        freezeStages()
        if training && options.normEval {
            for (_, m) in namedModules() where m is BatchNorm2d { m.training = false }
        }
    }

    private func freezeStages() {
        guard options.frozenStages >= 0 else { return }
        let frozen: [any Module] = [conv1, norm1] + layers.prefix(options.frozenStages).map { $0 as any Module }
        for m in frozen {
            m.train(false)
            m.setRequiresGrad(false)
        }
    }

    /// The norms whose γ zero_init_residual sets to 0 (the last norm of every block).
    var residualNorms: [any NormLayer] { blocks.flatMap { $0.map(\.lastNorm) } }
}
