import Config
import NN

extension NormFreeResNet {
    /// timm's NF-ResNet entry points (`_nfres_cfg`): 7x7 stem with max pool, 64 stem channels,
    /// bottleneck ratio 0.25, ReLU, channels (256, 512, 1024, 2048).
    static let architectures: [String: [Int]] = [
        "nf_resnet26": [2, 2, 2, 2], "nf_resnet50": [3, 4, 6, 3], "nf_resnet101": [3, 4, 23, 3],
    ]
    static let stemTypes = ["", "7x7", "7x7_pool", "3x3", "3x3_pool", "deep", "deep_pool", "deep_tiered", "deep_quad"]

    static let acceptedKeys = [
        "type", "arch", "depths", "channels", "in_channels", "stem_type", "stem_chs", "group_size", "width_factor",
        "bottle_ratio", "ch_div", "alpha", "act_layer", "gamma_in_act", "std_conv_eps", "skipinit", "extra_conv",
        "out_indices", "frozen_stages", "init_cfg", "pretrained",
        // timm's options that change the model in ways not implemented: accepted only at their defaults.
        "attn_layer", "reg", "same_padding", "num_features", "drop_path_rate", "output_stride",
        // Options of parts a backbone does not have (attention layers, the classifier): no effect.
        "attn_kwargs", "attn_gain", "zero_init_fc",
    ]

    /// `dict(type='NormFreeResNet', arch='nf_resnet50', ...)`: timm's `NfCfg` fields by their
    /// names (an `arch` sets the depths and timm's defaults for it; explicit keys override),
    /// `in_channels`, mmdetection's `out_indices` (stages 0-3) and `frozen_stages`, and a
    /// `Pretrained` init_cfg (a timm checkpoint: its keys are the backbone's).
    public convenience init(config c: ConfigView) throws {
        try c.accept(Self.acceptedKeys, ignoring: "NormFreeResNet")
        var o = Options()
        let arch = try c.string("arch", default: "nf_resnet50")
        guard let archDepths = Self.architectures[arch] else {
            throw c.error("arch", "unknown arch '\(arch)' (expected one of \(Self.architectures.keys.sorted()))")
        }
        o.depths = try c.ints("depths", default: archDepths, in: 1...1000, count: 4...4, why: "four stage depths")
        o.channels = try c.ints("channels", default: o.channels, in: 1...65536, count: 4...4, why: "four stage widths")
        o.inChannels = try c.int("in_channels", default: 3, atLeast: 1)
        o.stemType = try c.string("stem_type", default: o.stemType)
        guard Self.stemTypes.contains(o.stemType) else {
            throw c.error("stem_type", "unknown stem type '\(o.stemType)' (timm's: \(Self.stemTypes.map { "'\($0)'" }.joined(separator: ", ")))")
        }
        o.stemChannels = c.contains("stem_chs") ? try c.optionalInt("stem_chs", atLeast: 1) : o.stemChannels
        o.groupSize = try c.optionalInt("group_size", atLeast: 1)
        o.widthFactor = try c.double("width_factor", default: 1, above: 0)
        o.bottleRatio = try c.double("bottle_ratio", default: o.bottleRatio, above: 0)
        o.channelDivisor = try c.int("ch_div", default: 8, atLeast: 1)
        o.alpha = Float(try c.double("alpha", default: 0.2, in: 0...100))
        let act = try c.string("act_layer", default: "relu")
        guard let activation = Activation(rawValue: act) else {
            throw c.error("act_layer", "'\(act)' is not supported (expected 'relu' or 'silu')")
        }
        o.activation = activation
        o.gammaInActivation = try c.bool("gamma_in_act", default: false)
        o.stdConvEps = Float(try c.double("std_conv_eps", default: 1e-5, in: 0...1))
        o.skipinit = try c.bool("skipinit", default: false)
        o.extraConv = try c.bool("extra_conv", default: false)
        o.outIndices = try c.ints("out_indices", default: [0, 1, 2, 3], in: 0...3, count: 1...4, why: "stage indices 0-3")
        guard zip(o.outIndices, o.outIndices.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw c.error("out_indices", "\(o.outIndices): the maps come out in stage order, so the indices must increase")
        }
        o.frozenStages = try c.int("frozen_stages", default: -1)
        guard (-1...4).contains(o.frozenStages) else {
            throw c.error("frozen_stages", "\(o.frozenStages) is not allowed: expected -1 (none) up to 4")
        }
        try Self.checkDefaults(c)
        try Self.checkWidths(o, c)
        try Self.checkGroups(o, c)
        try Self.checkStem(o, c)
        o.pretrained = try pretrainedSource(c, owner: "NormFreeResNet")
        try self.init(o)
    }

    /// timm options SwiftDet does not implement, accepted at the value that leaves them off.
    private static func checkDefaults(_ c: ConfigView) throws {
        if let v = c.value("attn_layer"), !v.isNone {
            throw c.error("attn_layer", "attention layers (NF-SE/ECA-ResNet) are not supported: expected None")
        }
        for key in ["reg", "same_padding"] where try c.bool(key, default: false) {
            throw c.error(key, "\(key)=True (NF-RegNet / TF 'SAME' padding) is not supported")
        }
        if try c.int("num_features", default: 0) != 0 {
            throw c.error("num_features", "a final conv is a classifier's; a detection backbone has none (expected 0)")
        }
        if try c.double("drop_path_rate", default: 0) != 0 {
            throw c.error("drop_path_rate", "stochastic depth is not supported (expected 0)")
        }
        if try c.int("output_stride", default: 32) != 32 {
            throw c.error("output_stride", "dilated stages are not supported (expected 32)")
        }
    }

    /// The stem's and every stage's and block's width, scaled by width_factor and bottle_ratio,
    /// within `ConfigView.maxSize` channels before any is rounded to an Int.
    private static func checkWidths(_ o: Options, _ c: ConfigView) throws {
        let limit = Double(ConfigView.maxSize)
        let stem = Double(o.stemChannels ?? o.channels[0]) * o.widthFactor
        guard stem <= limit else {
            throw c.error(c.contains("stem_chs") ? "stem_chs" : "width_factor",
                          "a stem of \(stem) channels (width_factor \(o.widthFactor)) is not allowed: at most \(ConfigView.maxSize)")
        }
        for ch in o.channels {
            let out = Double(ch) * o.widthFactor
            guard out <= limit else {
                throw c.error("width_factor", "\(o.widthFactor) makes a stage of \(ch) channels \(out) wide: at most \(ConfigView.maxSize)")
            }
            let width = Double(divisible(out, o.channelDivisor)) * o.bottleRatio
            guard width <= limit else {
                throw c.error("bottle_ratio", "\(o.bottleRatio) makes a block \(width) channels wide: at most \(ConfigView.maxSize)")
            }
        }
    }

    /// Every grouped 3x3 conv must split its width into whole groups.
    private static func checkGroups(_ o: Options, _ c: ConfigView) throws {
        guard let size = o.groupSize else { return }
        for ch in o.channels {
            let out = divisible(Double(ch) * o.widthFactor, o.channelDivisor)
            let width = divisible(Double(out) * o.bottleRatio, o.channelDivisor)
            let groups = width / size
            guard groups >= 1 else {
                throw c.error("group_size", "\(size) is wider than a block's width \(width) (stage width \(out), bottle_ratio \(o.bottleRatio))")
            }
            let mid = size % o.channelDivisor == 0 ? size * groups : width
            guard mid % groups == 0 else {
                throw c.error("group_size", "\(size) does not divide a block's width \(width) into whole groups (stage width \(out), bottle_ratio \(o.bottleRatio))")
            }
        }
    }

    /// A deep stem splits its width in halves, quarters or eighths: each must be a channel.
    private static func checkStem(_ o: Options, _ c: ConfigView) throws {
        guard o.stemType.contains("deep") else { return }
        let stem = divisible(Double(o.stemChannels ?? o.channels[0]) * o.widthFactor, o.channelDivisor)
        let least = o.stemType.contains("quad") ? 8 : o.stemType.contains("tiered") ? 3 : 2
        guard stem >= least else {
            throw c.error("stem_chs", "a '\(o.stemType)' stem of \(stem) channels would have a conv of none: it needs at least \(least)")
        }
    }
}
