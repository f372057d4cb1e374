import Autograd
import Config
import NN
import Kernels

/// mmengine's `OptimWrapper` around SGD: zero_grad, gradient clipping, step, the learning
/// rates the schedulers move, and the state a checkpoint keeps. Built from `optim_wrapper`
/// as DefaultOptimWrapperConstructor builds it (parameter groups from `paramwise_cfg`).
public final class OptimWrapper {
    public let optimizer: SGD
    public let clipGrad: GradClip?
    /// The total gradient norm of the last `step()` when clipping by norm (mmengine's `grad_norm`).
    public private(set) var lastGradNorm: Double?

    public init(groups: [ParamGroup], clipGrad: GradClip? = nil) {
        optimizer = SGD(groups: groups)
        self.clipGrad = clipGrad
    }

    /// From an `optim_wrapper` dict: type OptimWrapper; optimizer dict(type='SGD', lr,
    /// momentum, dampening, weight_decay, nesterov); clip_grad (dict or None); paramwise_cfg.
    public convenience init(config c: ConfigView, model: any Module) throws {
        try c.accept(["type", "optimizer", "clip_grad", "paramwise_cfg", "accumulative_counts", "constructor"])
        let type = try c.string("type", default: "OptimWrapper")
        guard type == "OptimWrapper" else {
            throw c.error("type", "unsupported optim_wrapper type '\(type)' (SwiftDet has OptimWrapper only; AMP and other wrappers do not apply to float32 CPU training)")
        }
        let constructor = try c.string("constructor", default: "DefaultOptimWrapperConstructor")
        guard constructor == "DefaultOptimWrapperConstructor" else {
            throw c.error("constructor", "unsupported optimizer constructor '\(constructor)' (expected DefaultOptimWrapperConstructor)")
        }
        guard try c.int("accumulative_counts", default: 1) == 1 else {
            throw c.error("accumulative_counts", "gradient accumulation is not supported (expected 1)")
        }
        let sgd = try Self.optimizers.build(try c.view("optimizer"))
        // mmengine: a None or empty paramwise_cfg means one group of all parameters.
        var paramwise: ParamwiseConfig?
        if let p = try c.optionalView("paramwise_cfg"), !p.dict.isEmpty { paramwise = try ParamwiseConfig(config: p) }
        var groups: [ParamGroup]
        do {
            groups = try ParamGroups.build(model: model, baseLR: sgd.lr, baseWeightDecay: sgd.weightDecay, paramwise: paramwise)
        } catch let e as ParamGroupError {
            throw c.error("paramwise_cfg", e.message)
        }
        for g in groups.indices {
            groups[g].momentum = sgd.momentum
            groups[g].dampening = sgd.dampening
            groups[g].nesterov = sgd.nesterov
        }
        let clip = try c.optionalView("clip_grad").map { try GradClip(config: $0) }
        self.init(groups: groups, clipGrad: clip)
    }

    public var groups: [ParamGroup] { optimizer.groups }

    /// Clears every gradient (torch's zero_grad with set_to_none=True).
    public func zeroGrad() {
        for g in optimizer.groups { for p in g.params { p.grad = nil } }
    }

    /// Clips the gradients (when configured) and applies one SGD update. Returns the total
    /// gradient norm before clipping when clipping by norm, nil otherwise.
    @discardableResult
    public func step() -> Double? {
        lastGradNorm = nil
        if let clipGrad {
            lastGradNorm = clipGrad.apply(to: optimizer.groups.flatMap { g in zip(g.names, g.params).map { (name: $0, tensor: $1) } })
        }
        optimizer.step()
        return lastGradNorm
    }

    /// The learning rate of every group (what the parameter schedulers read and write).
    public var learningRates: [Double] {
        get { optimizer.groups.map(\.lr) }
        set {
            checkInvariant(newValue.count == optimizer.groups.count, "OptimWrapper: \(newValue.count) learning rates for \(optimizer.groups.count) groups")
            for g in newValue.indices { optimizer.groups[g].lr = newValue[g] }
        }
    }

    /// The first group's learning rate, the `lr` mmengine logs.
    public var currentLR: Double { optimizer.groups.first?.lr ?? 0 }

    /// Multiplies every group's lr (auto_scale_lr; before the schedulers are built).
    public func scaleLR(by ratio: Double) {
        learningRates = learningRates.map { $0 * ratio }
    }
}

/// What a checkpoint keeps of the optimizer besides the momentum buffers: each group's
/// parameter names and hyperparameters (torch's `param_groups`).
public struct OptimizerState: Codable, Equatable {
    /// One group's parameter names and hyperparameters.
    public struct Group: Codable, Equatable {
        public var names: [String]
        public var lr: Double
        public var weightDecay: Double
        public var momentum: Double
        public var dampening: Double
        public var nesterov: Bool
    }
    public var groups: [Group]
}

extension OptimWrapper {
    /// The hyperparameters per group, and the momentum buffers keyed by parameter name.
    public func stateForCheckpoint() -> (state: OptimizerState, momentum: [(String, Tensor)]) {
        let groups = optimizer.groups.map {
            OptimizerState.Group(names: $0.names, lr: $0.lr, weightDecay: $0.weightDecay, momentum: $0.momentum,
                                 dampening: $0.dampening, nesterov: $0.nesterov)
        }
        var buffers: [(String, Tensor)] = []
        for (g, group) in optimizer.groups.enumerated() {
            for (i, name) in group.names.enumerated() {
                if let b = optimizer.momentumBuffers[g][i] { buffers.append((name, b)) }
            }
        }
        return (OptimizerState(groups: groups), buffers)
    }

    /// Restores hyperparameters and momentum buffers; the groups must hold the same
    /// parameter names in the same order. `source` names the file for errors.
    public func load(_ state: OptimizerState, momentum: [String: Tensor], source: String) throws {
        let mine = optimizer.groups.map(\.names)
        guard state.groups.map(\.names) == mine else {
            throw CheckpointError(path: source, reason: "optimizer parameter groups differ from the model's (\(state.groups.count) groups with \(state.groups.map(\.names.count).reduce(0, +)) parameters saved, \(mine.count) groups with \(mine.map(\.count).reduce(0, +)) now)")
        }
        for (name, t) in momentum {
            guard let g = mine.firstIndex(where: { $0.contains(name) }),
                  optimizer.groups[g].params[mine[g].firstIndex(of: name)!].shape == t.shape else {
                throw CheckpointError(path: source, reason: "momentum buffer '\(name)' does not match a parameter of that shape")
            }
        }
        for (g, saved) in state.groups.enumerated() {
            optimizer.groups[g].lr = saved.lr
            optimizer.groups[g].weightDecay = saved.weightDecay
            optimizer.groups[g].momentum = saved.momentum
            optimizer.groups[g].dampening = saved.dampening
            optimizer.groups[g].nesterov = saved.nesterov
            for (i, name) in saved.names.enumerated() {
                optimizer.setMomentumBuffer(momentum[name], group: g, index: i)
            }
        }
    }
}

extension OptimWrapper {
    /// torch's `SGD` arguments as `optim_wrapper.optimizer` gives them.
    public struct SGDOptions: Sendable {
        public var lr: Double
        public var weightDecay: Double?
        public var momentum = 0.0, dampening = 0.0
        public var nesterov = false

        public init(config o: ConfigView) throws {
            try o.accept(["lr", "momentum", "dampening", "weight_decay", "nesterov"])
            lr = try o.double("lr")
            weightDecay = try o.optionalDouble("weight_decay")
            momentum = try o.double("momentum", default: 0)
            dampening = try o.double("dampening", default: 0, in: 0...1)
            // torch.optim.SGD's own checks.
            for (key, value) in [("lr", lr), ("momentum", momentum), ("weight_decay", weightDecay ?? 0)] where !(value >= 0 && value.isFinite) {
                throw o.error(key, "\(value) is not allowed: expected a finite value >= 0 (as torch.optim.SGD)")
            }
            nesterov = try o.bool("nesterov", default: false)
            if nesterov && (momentum <= 0 || dampening != 0) {
                throw o.error("nesterov", "Nesterov momentum requires a momentum and zero dampening")
            }
        }
    }

    /// mmengine's OPTIMIZERS that SwiftDet implements.
    public static let optimizers = Registry<SGDOptions>("OPTIMIZERS", [
        "SGD": { try SGDOptions(config: $0) },
    ])
}
