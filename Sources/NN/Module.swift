import Autograd

/// A persistent buffer of a module (running statistics, counters), saved in the state dict.
/// `isInteger` buffers (BatchNorm's `num_batches_tracked`) are stored as int64 in checkpoints.
public struct NamedBuffer {
    public let name: String
    public let tensor: Tensor
    public let isInteger: Bool
    public init(_ name: String, _ tensor: Tensor, isInteger: Bool = false) {
        self.name = name
        self.tensor = tensor
        self.isInteger = isInteger
    }
}

/// A network component with named parameters, buffers and children (the role of
/// `torch.nn.Module`). Names and order follow PyTorch's `state_dict`: a module's own
/// parameters, then its own buffers, then each child in registration order.
public protocol Module: AnyObject {
    /// Whether the module is in training mode (batch statistics, dropout, ...).
    var training: Bool { get set }
    /// Own parameters in registration order (a parameter trains when `requiresGrad`).
    var parameters: [(String, Tensor)] { get }
    /// Own persistent buffers in registration order.
    var buffers: [NamedBuffer] { get }
    /// Direct children in registration order, with their attribute names.
    var children: [(String, any Module)] { get }
    /// Called by `train(_:)` after this module and its subtree changed mode; components that
    /// keep parts frozen or in eval mode (ResNet's frozen_stages and norm_eval) re-apply it here.
    func didChangeMode()
}

extension Module {
    public var parameters: [(String, Tensor)] { [] }
    public var buffers: [NamedBuffer] { [] }
    public var children: [(String, any Module)] { [] }
    public func didChangeMode() {}

    /// Sets training (true) or eval (false) mode on the whole subtree, as `nn.Module.train`.
    public func train(_ mode: Bool = true) {
        training = mode
        for (_, child) in children { child.train(mode) }
        didChangeMode()
    }

    /// `train(false)`.
    public func eval() { train(false) }

    /// Every parameter of the subtree with its dotted name, in state-dict order.
    public func namedParameters(prefix: String = "") -> [(String, Tensor)] {
        var out = parameters.map { (prefix + $0.0, $0.1) }
        for (name, child) in children {
            out += child.namedParameters(prefix: prefix + name + ".")
        }
        return out
    }

    /// Every module of the subtree (this one first) with its dotted name ("" for this one).
    public func namedModules(prefix: String = "") -> [(String, any Module)] {
        var out: [(String, any Module)] = [(prefix, self)]
        for (name, child) in children {
            out += child.namedModules(prefix: prefix.isEmpty ? name : prefix + "." + name)
        }
        return out
    }

    /// Sets `requiresGrad` on every parameter of the subtree (mmdetection's freezing).
    public func setRequiresGrad(_ on: Bool) {
        for (_, p) in namedParameters() { p.requiresGrad = on }
    }

    /// Clears the gradients of every parameter of the subtree.
    public func zeroGrad() {
        for (_, p) in namedParameters() { p.grad = nil }
    }
}
