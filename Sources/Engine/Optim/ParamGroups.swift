import Autograd
import Config
import NN
import Kernels

/// One torch `param_group`: parameters (with their dotted names) and the hyperparameters
/// they share. `lr` is the value the schedulers move; the rest stay as built.
public struct ParamGroup {
    public var names: [String]
    public var params: [Tensor]
    public var lr: Double
    public var weightDecay: Double
    public var momentum: Double
    public var dampening: Double
    public var nesterov: Bool

    public init(names: [String], params: [Tensor], lr: Double, weightDecay: Double = 0,
                momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false) {
        checkInvariant(names.count == params.count, "ParamGroup: \(names.count) names for \(params.count) parameters")
        self.names = names
        self.params = params
        self.lr = lr
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
    }
}

/// mmengine's `paramwise_cfg` (DefaultOptimWrapperConstructor): per-parameter lr and weight
/// decay multipliers by name (custom_keys) or by kind (bias, norm, depth-wise conv, 1-D).
public struct ParamwiseConfig: Equatable {
    /// One `custom_keys` entry: a substring of `prefix.name` and its multipliers.
    public struct CustomKey: Equatable {
        public var key: String
        public var lrMult: Double?
        public var decayMult: Double?
        public init(key: String, lrMult: Double? = nil, decayMult: Double? = nil) {
            self.key = key
            self.lrMult = lrMult
            self.decayMult = decayMult
        }
    }

    public var customKeys: [CustomKey] = []
    public var biasLRMult: Double?
    public var biasDecayMult: Double?
    public var normDecayMult: Double?
    public var dwconvDecayMult: Double?
    public var flatDecayMult: Double?
    public var bypassDuplicate = false

    public init(customKeys: [CustomKey] = [], biasLRMult: Double? = nil, biasDecayMult: Double? = nil,
                normDecayMult: Double? = nil, dwconvDecayMult: Double? = nil, flatDecayMult: Double? = nil,
                bypassDuplicate: Bool = false) {
        self.customKeys = customKeys
        self.biasLRMult = biasLRMult
        self.biasDecayMult = biasDecayMult
        self.normDecayMult = normDecayMult
        self.dwconvDecayMult = dwconvDecayMult
        self.flatDecayMult = flatDecayMult
        self.bypassDuplicate = bypassDuplicate
    }

    /// From `optim_wrapper.paramwise_cfg`. `dcn_offset_lr_mult` is accepted and has no effect
    /// (SwiftDet has no deformable convolutions).
    public init(config c: ConfigView) throws {
        try c.accept(["custom_keys", "bias_lr_mult", "bias_decay_mult", "norm_decay_mult",
                      "dwconv_decay_mult", "flat_decay_mult", "bypass_duplicate", "dcn_offset_lr_mult"])
        if let keys = try c.optionalView("custom_keys") {
            customKeys = try keys.dict.keys.map { key in
                let entry = try keys.view(key)
                try entry.accept(["lr_mult", "decay_mult"])
                return CustomKey(key: key, lrMult: try entry.optionalDouble("lr_mult", atLeast: 0),
                                 decayMult: try entry.optionalDouble("decay_mult", atLeast: 0))
            }
        }
        biasLRMult = try c.optionalDouble("bias_lr_mult", atLeast: 0)
        biasDecayMult = try c.optionalDouble("bias_decay_mult", atLeast: 0)
        normDecayMult = try c.optionalDouble("norm_decay_mult", atLeast: 0)
        dwconvDecayMult = try c.optionalDouble("dwconv_decay_mult", atLeast: 0)
        flatDecayMult = try c.optionalDouble("flat_decay_mult", atLeast: 0)
        bypassDuplicate = try c.bool("bypass_duplicate", default: false)
    }

    /// True when a rule needs a base weight decay (mmengine raises "base_wd should not be None").
    var needsBaseWeightDecay: Bool {
        biasDecayMult != nil || normDecayMult != nil || dwconvDecayMult != nil
            || customKeys.contains { $0.decayMult != nil }
    }

    /// Custom keys in matching order: alphabetical, then longest first (stable), first match wins.
    var sortedCustomKeys: [CustomKey] {
        let alphabetical = customKeys.sorted { $0.key < $1.key }
        return alphabetical.enumerated().sorted {
            $0.element.key.count != $1.element.key.count
                ? $0.element.key.count > $1.element.key.count : $0.offset < $1.offset
        }.map(\.element)
    }
}

/// A parameter that appears twice (shared) without `bypass_duplicate`, or a decay multiplier
/// without a base `weight_decay`.
public struct ParamGroupError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Builds torch parameter groups the way mmengine's DefaultOptimWrapperConstructor does.
public enum ParamGroups {
    /// Without paramwise rules (`paramwise` nil: the config has none or an empty dict): one group of every parameter (frozen ones included; they never
    /// get a gradient, so SGD skips them). With rules: one group per trainable parameter, with
    /// its own lr and weight decay; parameters with `requiresGrad == false` are left out.
    /// `baseWeightDecay` nil means the optimizer config has no `weight_decay` (SGD uses 0).
    public static func build(model: any Module, baseLR: Double, baseWeightDecay: Double?,
                             paramwise: ParamwiseConfig?) throws -> [ParamGroup] {
        guard let paramwise else {
            var seen = Set<ObjectIdentifier>()
            let unique = model.namedParameters().filter { seen.insert(ObjectIdentifier($0.1)).inserted }
            return [ParamGroup(names: unique.map(\.0), params: unique.map(\.1), lr: baseLR,
                               weightDecay: baseWeightDecay ?? 0)]
        }
        if baseWeightDecay == nil && paramwise.needsBaseWeightDecay {
            throw ParamGroupError(message: "paramwise_cfg: a decay multiplier needs optimizer.weight_decay to be set (mmengine: base_wd should not be None)")
        }
        var builder = Builder(rules: paramwise, keys: paramwise.sortedCustomKeys, baseLR: baseLR, baseWD: baseWeightDecay)
        try builder.add(model, prefix: "")
        return builder.groups
    }

    private struct Builder {
        let rules: ParamwiseConfig
        let keys: [ParamwiseConfig.CustomKey]
        let baseLR: Double
        let baseWD: Double?
        var groups: [ParamGroup] = []
        var seen = Set<ObjectIdentifier>()

        /// mmengine's add_params: own parameters of `module`, then its children.
        mutating func add(_ module: any Module, prefix: String) throws {
            let isNorm = module is any NormLayer
            let isDepthwise = (module as? Conv2d).map { $0.weight.shape[1] == 1 } ?? false
            for (name, param) in module.parameters {
                let fullName = prefix.isEmpty ? name : prefix + "." + name
                if seen.contains(ObjectIdentifier(param)) {
                    if rules.bypassDuplicate { continue }
                    throw ParamGroupError(message: "parameter \(fullName) appears in more than one group (set paramwise_cfg.bypass_duplicate=True to skip shared parameters)")
                }
                guard param.requiresGrad else { continue }
                seen.insert(ObjectIdentifier(param))
                let (lr, wd) = settings(name: name, matchName: prefix + "." + name, param: param,
                                        isNorm: isNorm, isDepthwise: isDepthwise)
                groups.append(ParamGroup(names: [fullName], params: [param], lr: lr, weightDecay: wd))
            }
            for (childName, child) in module.children {
                try add(child, prefix: prefix.isEmpty ? childName : prefix + "." + childName)
            }
        }

        /// The lr and weight decay of one parameter. mmengine matches custom keys against
        /// "prefix.name" (a leading "." for the root's own parameters); a match skips the
        /// other rules. Weight-decay rules are tried in order norm, bias, depth-wise, 1-D.
        func settings(name: String, matchName: String, param: Tensor, isNorm: Bool, isDepthwise: Bool) -> (Double, Double) {
            var lr = baseLR
            var wd = baseWD ?? 0
            if let custom = keys.first(where: { matchName.contains($0.key) }) {
                lr = baseLR * (custom.lrMult ?? 1)
                if let baseWD { wd = baseWD * (custom.decayMult ?? 1) }
                return (lr, wd)
            }
            if name == "bias" && !isNorm, let m = rules.biasLRMult { lr = baseLR * m }
            guard let baseWD else { return (lr, wd) }
            if isNorm, let m = rules.normDecayMult {
                wd = baseWD * m
            } else if name == "bias", let m = rules.biasDecayMult {
                wd = baseWD * m
            } else if isDepthwise, let m = rules.dwconvDecayMult {
                wd = baseWD * m
            } else if param.rank == 1, let m = rules.flatDecayMult {
                wd = baseWD * m
            }
            return (lr, wd)
        }
    }
}
