import Config
import NN

extension ResNet {
    static let acceptedKeys = [
        "type", "depth", "in_channels", "stem_channels", "base_channels", "num_stages", "strides",
        "dilations", "out_indices", "style", "deep_stem", "avg_down", "frozen_stages", "conv_cfg",
        "norm_cfg", "norm_eval", "dcn", "stage_with_dcn", "plugins", "zero_init_residual",
        "pretrained", "init_cfg",
    ]

    /// mmdetection's `ResNet` / `ResNeXt` config (ResNeXt adds `groups` and `base_width`).
    /// Options that change the architecture in ways not implemented (deep_stem, avg_down, DCN,
    /// plugins) are errors; `with_cp` is in `IgnoredKeys`.
    public convenience init(config c: ConfigView) throws {
        let isResNeXt = c.typeName == "ResNeXt"
        try c.accept(Self.acceptedKeys + (isResNeXt ? ["groups", "base_width"] : []), ignoring: "ResNet")
        var o = Options()
        o.depth = try c.int("depth")
        guard Self.architectures[o.depth] != nil else { throw c.error("depth", "invalid depth \(o.depth) (18, 34, 50, 101 or 152)") }
        if isResNeXt && o.depth < 50 { throw c.error("depth", "ResNeXt needs a Bottleneck depth (50, 101, 152)") }
        o.inChannels = try c.int("in_channels", default: 3, atLeast: 1)
        o.baseChannels = try c.int("base_channels", default: 64, atLeast: 1)
        o.stemChannels = try c.optionalInt("stem_channels", atLeast: 1)
        o.numStages = try c.int("num_stages", default: 4)
        guard (1...4).contains(o.numStages) else { throw c.error("num_stages", "must be 1...4, got \(o.numStages)") }
        o.strides = try c.ints("strides", default: [1, 2, 2, 2], in: 1...ConfigView.maxSize)
        o.dilations = try c.ints("dilations", default: [1, 1, 1, 1], in: 1...ConfigView.maxSize)
        guard o.strides.count == o.numStages, o.dilations.count == o.numStages else {
            throw c.error("strides", "strides \(o.strides) and dilations \(o.dilations) need num_stages (\(o.numStages)) entries")
        }
        o.outIndices = try c.ints("out_indices", default: [0, 1, 2, 3], in: 0...(o.numStages - 1), count: 1...Int.max,
                                  why: "stage indices below num_stages (\(o.numStages))")
        let style = try c.string("style", default: "pytorch")
        guard style == "pytorch" || style == "caffe" else { throw c.error("style", "expected 'pytorch' or 'caffe', got '\(style)'") }
        o.caffeStyle = style == "caffe"
        for key in ["deep_stem", "avg_down"] where try c.bool(key, default: false) {
            throw c.error(key, "\(key)=True is not supported")
        }
        for key in ["dcn", "plugins"] where c.contains(key) && c.value(key) != ConfigValue.none {
            throw c.error(key, "\(key) is not supported")
        }
        o.frozenStages = try c.int("frozen_stages", default: -1)
        guard (-1...o.numStages).contains(o.frozenStages) else {
            throw c.error("frozen_stages", "\(o.frozenStages) is not allowed: expected -1 (none) up to num_stages (\(o.numStages))")
        }
        o.conv = try ConvSpec(config: try c.optionalView("conv_cfg"))
        if let norm = try c.optionalView("norm_cfg") { o.norm = try NormSpec(config: norm) }
        o.normEval = try c.bool("norm_eval", default: true)
        o.zeroInitResidual = try c.bool("zero_init_residual", default: true)
        if isResNeXt {
            o.groups = try c.int("groups", default: 1, atLeast: 1)
            o.baseWidth = try c.int("base_width", default: 4, atLeast: 1)
            for i in 0..<o.numStages {
                let planes = o.baseChannels << i
                let (scaled, over) = planes.multipliedReportingOverflow(by: o.baseWidth)
                let (width, overGroups) = (scaled / o.baseChannels).multipliedReportingOverflow(by: o.groups)
                guard !over, !overGroups, width <= ConfigView.maxSize else {
                    throw c.error(o.groups > o.baseWidth ? "groups" : "base_width", "groups \(o.groups) of base_width \(o.baseWidth) make stage \(i + 1)'s blocks wider "
                                  + "than \(ConfigView.maxSize) channels (base_channels \(o.baseChannels))")
                }
            }
        }
        if let norm = try c.optionalView("norm_cfg") { try o.norm.check(channels: Self.normChannels(o), norm) }
        o.pretrained = try pretrainedSource(c, owner: "ResNet")
        try self.init(o)
    }

    /// Every channel count a norm layer of `o` normalises (stem, and per stage the blocks'
    /// inner width and output), for the norm's own check.
    static func normChannels(_ o: Options) -> [Int] {
        guard let arch = architectures[o.depth] else { return [] }
        var out = [o.stemChannels ?? o.baseChannels]
        for i in 0..<o.numStages {
            let planes = o.baseChannels << i
            let width = o.groups == 1 ? planes : (planes * o.baseWidth / o.baseChannels) * o.groups
            out += arch.bottleneck ? [width, planes * 4] : [planes]
        }
        return out
    }
}
