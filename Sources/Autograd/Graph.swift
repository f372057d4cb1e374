import Kernels

/// One recorded operation on the autograd tape: its inputs and the rule that maps the output
/// gradient to input gradients. Released (inputs and saved tensors dropped) after backward.
public final class Node {
    public let op: OpKind
    private(set) var inputs: [Tensor]
    private var rule: ((Tensor) -> [Tensor?])?

    init(op: OpKind, inputs: [Tensor], rule: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.rule = rule
    }

    public var isReleased: Bool { rule == nil }
    /// The recorded inputs (empty once released).
    public var inputList: [Tensor] { inputs }

    func apply(_ grad: Tensor) -> [Tensor?] {
        guard let rule else {
            fatalError("\(op): backward through a graph that was already released by backward()")
        }
        return rule(grad)
    }

    func release() {
        inputs = []
        rule = nil
    }
}

extension Tensor {
    /// Records `out` as the result of `op` on `inputs` when grad mode is on and an input needs
    /// a gradient. `rule` receives dL/d(out) (shape of out) and returns dL/d(input) for each
    /// input in order (nil where an input needs none). `rule` must not capture `out` itself
    /// (that would be a retain cycle): capture `out.detach()` when the output is needed.
    static func record(
        _ op: OpKind, _ out: Tensor, inputs: [Tensor], rule: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return out }
        out.requiresGrad = true
        out.gradFn = Node(op: op, inputs: inputs, rule: rule)
        return out
    }

    /// Reverse-mode differentiation from this tensor. Without `gradient`, the tensor must have
    /// one element (dL/dL = 1). Gradients accumulate into leaves' `grad`; the graph is
    /// released as it is consumed.
    public func backward(_ gradient: Tensor? = nil) {
        checkInvariant(requiresGrad, "backward: tensor of shape \(shape) does not require grad")
        let seed: Tensor
        if let gradient {
            checkInvariant(
                gradient.shape == shape,
                "backward: gradient shape \(gradient.shape) != tensor shape \(shape)")
            seed = gradient
        } else {
            checkInvariant(count == 1, "backward: implicit gradient needs one element, shape is \(shape)")
            seed = Tensor.ones(shape)
        }
        withNoGrad { Tensor.runBackward(from: self, seed: seed) }
    }

    private static func runBackward(from root: Tensor, seed: Tensor) {
        guard root.gradFn != nil else {
            root.accumulateLeafGrad(seed)
            return
        }
        let order = topologicalOrder(root)
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        for t in order {
            guard let g = pending.removeValue(forKey: ObjectIdentifier(t)), let node = t.gradFn else {
                continue
            }
            let inputs = node.inputs
            let grads = node.apply(g)
            checkInvariant(grads.count == inputs.count, "\(node.op): backward returned \(grads.count) grads for \(inputs.count) inputs")
            node.release()
            for (x, gx) in zip(inputs, grads) {
                guard x.requiresGrad, let gx else { continue }
                checkInvariant(
                    gx.shape == x.shape,
                    "\(node.op): gradient shape \(gx.shape) != input shape \(x.shape)")
                if x.gradFn == nil {
                    x.accumulateLeafGrad(gx)
                } else if let prev = pending[ObjectIdentifier(x)] {
                    pending[ObjectIdentifier(x)] = prev.addingGradient(gx)
                } else {
                    pending[ObjectIdentifier(x)] = gx
                }
            }
        }
    }

    /// Non-leaf tensors reachable from `root`, each before all of its inputs.
    private static func topologicalOrder(_ root: Tensor) -> [Tensor] {
        var post: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (t, next) = stack.popLast() {
            let inputs = t.gradFn?.inputs ?? []
            if next < inputs.count {
                stack.append((t, next + 1))
                let x = inputs[next]
                if x.gradFn != nil, x.requiresGrad, visited.insert(ObjectIdentifier(x)).inserted {
                    stack.append((x, 0))
                }
            } else {
                post.append(t)
            }
        }
        return post.reversed()
    }

    private func accumulateLeafGrad(_ g: Tensor) {
        if let grad {
            Elementwise.accumulate(g.ptr, into: grad.ptr, count: count)
        } else {
            grad = g.copy()
        }
    }

    /// self + g as a new tensor (same shapes), for summing gradients of shared inputs.
    private func addingGradient(_ g: Tensor) -> Tensor {
        let out = Tensor(uninitialized: shape)
        Elementwise.binarySameShape(.add, a: ptr, b: g.ptr, out: out.ptr, count: count)
        return out
    }
}
