import Autograd
import Kernels
import NN

/// Normalizer-free ResNet (Brock et al. 2021, "Characterizing signal propagation to close the
/// performance gap in unnormalized ResNets"; timm's `NormFreeNet` with `_nfres_cfg`): no norm
/// layer anywhere; every conv is a scaled weight-standardized conv with a learned gain and a bias
/// (timm's `ScaledStdConv2d`), the activation's gain gamma folded into the conv. Pre-activation
/// bottleneck blocks `x + alpha * f(act(x) * beta)` where beta = 1 / (the expected std of x),
/// which resets to 1 after each stage's first block (its shortcut is a conv of the scaled input)
/// and grows by alpha^2 in variance per block.
///
/// Keys are timm's (`stem.conv.weight`, `stages.0.0.downsample.conv.gain`,
/// `stages.1.2.conv2.bias`, `stages.0.0.skipinit_gain`), so a timm ImageNet checkpoint loads
/// through `init_cfg=dict(type='Pretrained', ...)` (its `head.fc.*` keys are ignored). The
/// outputs are the stages' outputs (timm's feature taps `stages.i`: before any activation,
/// strides 4, 8, 16, 32), those in `outIndices` (mmdetection's stage indices).
public final class NormFreeResNet: Backbone {
    public enum Activation: String, Sendable {
        case relu, silu
        /// The gain that restores unit variance after the activation of a unit Gaussian
        /// (DeepMind's NFNets table, as timm's `_nonlin_gamma`).
        public var gamma: Float {
            switch self {
            case .relu: return 1.7139588594436646
            case .silu: return 1.7881293296813965
            }
        }
    }

    public struct Options: Sendable {
        public var depths = [3, 4, 6, 3]
        public var channels = [256, 512, 1024, 2048]
        public var inChannels = 3
        /// timm's stem types: '7x7', '7x7_pool', '3x3', '3x3_pool', 'deep', 'deep_pool',
        /// 'deep_tiered', 'deep_quad' ('' is '7x7').
        public var stemType = "7x7_pool"
        public var stemChannels: Int? = 64
        public var groupSize: Int? = nil
        public var widthFactor = 1.0
        public var bottleRatio = 0.25
        public var channelDivisor = 8
        public var alpha: Float = 0.2
        public var activation = Activation.relu
        /// Apply gamma after each activation instead of inside the convs (the official code's
        /// placement; timm's default folds it into the convs).
        public var gammaInActivation = false
        public var stdConvEps: Float = 1e-5
        public var skipinit = false
        /// A second 3x3 conv in every block (NFNet-F's blocks).
        public var extraConv = false
        public var outIndices = [0, 1, 2, 3]
        /// -1: none; k: the stem and the first k stages are frozen (mmdetection's meaning).
        public var frozenStages = -1
        public var pretrained: (checkpoint: String, prefix: String?)? = nil
        public init() {}
    }

    public var training = true
    public let options: Options
    public let stem: NFStem
    let stages: ModuleList
    public let blocks: [[NormFreeBlock]]

    public init(_ o: Options) throws {
        options = o
        let act = NFActivationSpec(o.activation, gammaInActivation: o.gammaInActivation)
        let conv = ConvSpec.scaledWeightStandardized(gamma: o.gammaInActivation ? 1 : o.activation.gamma,
                                                      eps: o.stdConvEps, gainInit: 1)
        let stemChannels = Self.divisible(Double(o.stemChannels ?? o.channels[0]) * o.widthFactor, o.channelDivisor)
        stem = try NFStem(type: o.stemType, inChannels: o.inChannels, outChannels: stemChannels, conv: conv, act: act)
        var inC = stemChannels
        var expectedVar: Float = 1
        var blocks: [[NormFreeBlock]] = []
        for (i, depth) in o.depths.enumerated() {
            let stride = i == 0 && stem.stride > 2 ? 1 : 2
            let outC = Self.divisible(Double(o.channels[i]) * o.widthFactor, o.channelDivisor)
            var stage: [NormFreeBlock] = []
            for b in 0..<depth {
                stage.append(try NormFreeBlock(
                    inC, outC, stride: b == 0 ? stride : 1, beta: 1 / expectedVar.squareRoot(), options: o, conv: conv, act: act))
                if b == 0 { expectedVar = 1 }
                expectedVar += o.alpha * o.alpha
                inC = outC
            }
            blocks.append(stage)
        }
        self.blocks = blocks
        stages = ModuleList(blocks.map { ModuleList($0) })
        freezeStages()
    }

    public var children: [(String, any Module)] {
        [("stem", stem), ("stages", stages)]
    }

    /// Channels of each stage's output.
    public var stageChannels: [Int] { blocks.map { $0.last!.conv3.outChannels } }
    public var outChannels: [Int] { options.outIndices.map { stageChannels[$0] } }

    public func callAsFunction(_ x: Tensor) -> [Tensor] {
        var h = stem(x)
        var outs: [Tensor] = []
        for (i, stage) in blocks.enumerated() {
            for block in stage { h = block(h) }
            if options.outIndices.contains(i) { outs.append(h) }
        }
        return outs
    }

    public func didChangeMode() { freezeStages() }

    private func freezeStages() {
        guard options.frozenStages >= 0 else { return }
        for m in [stem as any Module] + stages.modules.prefix(options.frozenStages) {
            m.train(false)
            m.setRequiresGrad(false)
        }
    }

    /// timm's init: every conv weight Kaiming-normal (fan_in, linear: std 1 / sqrt(fan-in)),
    /// biases 0, gains 1 except each block's last conv (0, or 1 with skipinit, whose scalar
    /// gain starts at 0 instead), so every residual branch starts silent. A `Pretrained`
    /// init_cfg then loads its file.
    public func initWeights(using rng: inout SeededGenerator) throws {
        for (_, m) in namedModules() {
            guard let conv = m as? Conv2d else { continue }
            Init.kaiming(conv.weight, mode: .fanIn, nonlinearity: "linear", using: &rng)
            if let b = conv.bias { Init.fill(b, 0) }
            if let g = conv.gain { Init.fill(g, 1) }
        }
        for block in blocks.joined() {
            if let g = block.skipinitGain { Init.fill(g, 0) } else { Init.fill(block.conv3.gain!, 0) }
        }
        if let (checkpoint, prefix) = options.pretrained { try loadPretrained(checkpoint, prefix: prefix) }
    }

    /// timm's `make_divisible` (round to the nearest multiple, never below 90% of the value).
    static func divisible(_ v: Double, _ divisor: Int) -> Int {
        var out = max(divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
        if Double(out) < 0.9 * v { out += divisor }
        return out
    }
}

/// The activation of NF blocks and stems, with gamma applied here when not folded into the
/// convs; `scale` (a block's beta) multiplies the result.
struct NFActivationSpec {
    let kind: NormFreeResNet.Activation
    let gamma: Float

    init(_ kind: NormFreeResNet.Activation, gammaInActivation: Bool) {
        self.kind = kind
        gamma = gammaInActivation ? kind.gamma : 1
    }

    func callAsFunction(_ x: Tensor, scale: Float = 1) -> Tensor {
        let y = kind == .relu ? x.relu() : x.silu()
        let s = gamma * scale
        return s == 1 ? y : y * s
    }
}

/// timm's NF stem: one 7x7/2 or 3x3/2 conv, or a deep stack of 3x3 convs with activations
/// between them, and optionally a 3x3/2 max pool. Keys `conv` or `conv1`...`conv4`.
public final class NFStem: Module {
    public var training = true
    public let convs: [Conv2d]
    let pool: Bool
    let act: NFActivationSpec
    /// The stem's total stride (2, or 4 with the pool or the quad stem).
    let stride: Int

    init(type: String, inChannels: Int, outChannels c: Int, conv: ConvSpec, act: NFActivationSpec) throws {
        self.act = act
        func make(_ i: Int, _ o: Int, _ k: Int, _ s: Int) throws -> Conv2d {
            try Conv2d(i, o, kernelSize: k, stride: s, padding: nfPadding(k, s), spec: conv)
        }
        if type.contains("deep") {
            let (chs, strides): ([Int], [Int]) = type.contains("quad") ? ([c / 8, c / 4, c / 2, c], [2, 1, 1, 2])
                : type.contains("tiered") ? ([3 * c / 8, c / 2, c], [2, 1, 1]) : ([c / 2, c / 2, c], [2, 1, 1])
            guard chs.allSatisfy({ $0 >= 1 }) else {
                throw ParameterSizeError(description: "NormFreeResNet: a '\(type)' stem of \(c) channels has convs of \(chs) channels; "
                                         + "it needs at least \(type.contains("quad") ? 8 : type.contains("tiered") ? 3 : 2) (stem_chs)")
            }
            var inC = inChannels
            var convs: [Conv2d] = []
            for (o, s) in zip(chs, strides) {
                convs.append(try make(inC, o, 3, s))
                inC = o
            }
            self.convs = convs
        } else {
            convs = [try make(inChannels, c, type.contains("3x3") ? 3 : 7, 2)]
        }
        pool = type.contains("pool")
        stride = pool || type.contains("quad") ? 4 : 2
    }

    public var children: [(String, any Module)] {
        convs.count == 1 ? [("conv", convs[0])] : convs.enumerated().map { ("conv\($0.offset + 1)", $0.element) }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (i, conv) in convs.enumerated() {
            h = conv(h)
            if i < convs.count - 1 { h = act(h) }
        }
        return pool ? h.maxPool2d(kernel: 3, stride: 2, padding: 1) : h
    }
}

/// timm's `get_padding` for the NF convs (no dilation): ((stride - 1) + (kernel - 1)) / 2.
func nfPadding(_ kernel: Int, _ stride: Int) -> Int { (stride - 1 + kernel - 1) / 2 }
