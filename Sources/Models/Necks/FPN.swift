import Autograd
import Config
import Kernels
import NN

/// Feature Pyramid Network (Lin et al. 2017) as mmdetection's `FPN`: 1x1 lateral convs, a
/// top-down path with nearest upsampling to the lower level's size, 3x3 output convs, and
/// extra levels by stride-2 max-pooling or stride-2 convs. Keys `lateral_convs.i.conv`,
/// `fpn_convs.i.conv` (+ their norms).
public final class FPN: Neck {
    /// Where extra levels' convs read from (mmdetection's `add_extra_convs`).
    public enum ExtraSource: String, Sendable { case onInput = "on_input", onLateral = "on_lateral", onOutput = "on_output" }

    public struct Options: Sendable {
        public var inChannels: [Int] = [256, 512, 1024, 2048]
        public var outChannels = 256
        public var numOuts = 5
        public var startLevel = 0
        public var endLevel = -1
        public var extraConvs: ExtraSource? = nil
        public var reluBeforeExtraConvs = false
        public var noNormOnLateral = false
        public var conv: ConvSpec = .plain
        public var norm: NormSpec? = nil
        public init() {}
    }

    public var training = true
    public let options: Options
    let lateralConvs: [ConvModule]
    let fpnConvs: [ConvModule]
    let backboneEndLevel: Int

    public init(_ o: Options) throws {
        options = o
        backboneEndLevel = o.endLevel == -1 ? o.inChannels.count : o.endLevel + 1
        checkInvariant(o.startLevel < backboneEndLevel && backboneEndLevel <= o.inChannels.count,
                     "FPN: start_level \(o.startLevel) / end_level \(o.endLevel) for \(o.inChannels.count) inputs")
        var laterals: [ConvModule] = []
        var outputs: [ConvModule] = []
        for i in o.startLevel..<backboneEndLevel {
            laterals.append(try ConvModule(o.inChannels[i], o.outChannels, kernelSize: 1, conv: o.conv,
                                       norm: o.noNormOnLateral ? nil : o.norm, activate: false))
            outputs.append(try ConvModule(o.outChannels, o.outChannels, kernelSize: 3, padding: 1, conv: o.conv,
                                      norm: o.norm, activate: false))
        }
        let extra = o.numOuts - (backboneEndLevel - o.startLevel)
        if let source = o.extraConvs, extra >= 1 {
            for i in 0..<extra {
                let inC = (i == 0 && source == .onInput) ? o.inChannels[backboneEndLevel - 1] : o.outChannels
                outputs.append(try ConvModule(inC, o.outChannels, kernelSize: 3, stride: 2, padding: 1, conv: o.conv,
                                          norm: o.norm, activate: false))
            }
        }
        lateralConvs = laterals
        fpnConvs = outputs
    }

    public var inChannels: [Int] { options.inChannels }
    public var outChannels: Int { options.outChannels }
    public var numOuts: Int { options.numOuts }

    public var children: [(String, any Module)] {
        [("lateral_convs", ModuleList(lateralConvs)), ("fpn_convs", ModuleList(fpnConvs))]
    }

    public func callAsFunction(_ inputs: [Tensor]) -> [Tensor] {
        let o = options
        checkInvariant(inputs.count == o.inChannels.count, "FPN: \(inputs.count) inputs for in_channels \(o.inChannels)")
        var laterals = lateralConvs.enumerated().map { $0.element(inputs[$0.offset + o.startLevel]) }
        for i in stride(from: laterals.count - 1, to: 0, by: -1) {
            let size = (laterals[i - 1].dim(2), laterals[i - 1].dim(3))
            laterals[i - 1] = laterals[i - 1] + laterals[i].interpolateNearest(size: size)
            ComplexityCounter.record(self, .upsampleNearest, laterals[i - 1].count)
        }
        var outs = laterals.enumerated().map { fpnConvs[$0.offset]($0.element) }
        guard o.numOuts > outs.count else { return outs }
        if let source = o.extraConvs {
            let first: Tensor
            switch source {
            case .onInput: first = inputs[backboneEndLevel - 1]
            case .onLateral: first = laterals.last!
            case .onOutput: first = outs.last!
            }
            outs.append(fpnConvs[laterals.count](first))
            for i in (laterals.count + 1)..<o.numOuts {
                let prev = o.reluBeforeExtraConvs ? outs.last!.relu() : outs.last!
                outs.append(fpnConvs[i](prev))
            }
        } else {
            while outs.count < o.numOuts { outs.append(outs.last!.maxPool2d(kernel: 1, stride: 2)) }
        }
        return outs
    }
}

extension FPN {
    /// mmdetection's `FPN` config.
    public convenience init(config c: ConfigView) throws {
        try c.accept(["type", "in_channels", "out_channels", "num_outs", "start_level", "end_level",
                      "add_extra_convs", "relu_before_extra_convs", "no_norm_on_lateral", "conv_cfg",
                      "norm_cfg", "act_cfg", "upsample_cfg", "init_cfg"])
        try c.rejectInitConfig()
        var o = Options()
        o.inChannels = try c.ints("in_channels", in: 1...ConfigView.maxSize, count: 1...Int.max)
        o.outChannels = try c.int("out_channels", atLeast: 1)
        o.startLevel = try c.int("start_level", default: 0, in: 0...(o.inChannels.count - 1), why: "an index into in_channels")
        o.endLevel = try c.int("end_level", default: -1)
        guard o.endLevel == -1 || (o.startLevel..<o.inChannels.count).contains(o.endLevel) else {
            throw c.error("end_level", "\(o.endLevel) is not allowed: expected -1 (the last input) or an index from start_level "
                          + "\(o.startLevel) to \(o.inChannels.count - 1)")
        }
        let used = (o.endLevel == -1 ? o.inChannels.count : o.endLevel + 1) - o.startLevel
        o.numOuts = try c.int("num_outs", in: used...(used + 8), why: "one output per input level used (\(used)), then up to 8 extra levels")
        if let extra = c.value("add_extra_convs") {
            switch extra {
            case .bool(let on): o.extraConvs = on ? .onInput : nil
            case .string(let s):
                guard let src = ExtraSource(rawValue: s) else {
                    throw c.error("add_extra_convs", "expected False, True, 'on_input', 'on_lateral' or 'on_output', got '\(s)'")
                }
                o.extraConvs = src
            default: throw c.error("add_extra_convs", "expected a bool or a string")
            }
        }
        o.reluBeforeExtraConvs = try c.bool("relu_before_extra_convs", default: false)
        o.noNormOnLateral = try c.bool("no_norm_on_lateral", default: false)
        o.conv = try ConvSpec(config: try c.optionalView("conv_cfg"))
        if let normView = try c.optionalView("norm_cfg") {
            let norm = try NormSpec(config: normView)
            try norm.check(channels: [o.outChannels], normView)
            o.norm = norm
        }
        if let act = try c.optionalView("act_cfg") {
            throw act.error("type", "FPN act_cfg must be None (mmdetection's default), activations are not supported here")
        }
        if let up = try c.optionalView("upsample_cfg") {
            try up.accept(["mode"])
            guard try up.string("mode") == "nearest" else { throw up.error("mode", "only nearest upsampling is supported") }
        }
        try self.init(o)
    }
}

extension FPN {
    /// mmdetection's FPN init_cfg: Xavier-uniform on every conv, zero biases (norms γ=1 β=0).
    public func initWeights(using rng: inout SeededGenerator) {
        for module in lateralConvs + fpnConvs {
            Init.xavier(module.conv.weight, uniform: true, using: &rng)
            if let b = module.conv.bias { Init.fill(b, 0) }
            module.norm?.resetAffine(gamma: 1)
        }
    }
}
