import Kernels

/// One recorded operation on the autograd tape: where each input's gradient goes, and the rule
/// that maps the output gradient to input gradients. Released (rule and edges dropped) after
/// backward.
///
/// A node keeps the *nodes* that made its inputs (and leaf inputs themselves), never non-leaf
/// input tensors, as PyTorch's graph does: an activation stays alive only if a rule captured
/// it (conv keeps its input, ReLU its output); one that no rule needs (a frozen BN's output
/// feeding a ReLU) is freed as soon as the forward pass drops it, and a captured one as soon as
/// backward has applied the rule.
public final class Node {
    public let op: OpKind
    /// Where the gradient of one input goes: the node that produced it, or the leaf itself.
    enum Edge {
        case node(Node)
        case leaf(Tensor)
    }
    /// Per input: its edge (nil when it needs no gradient) and its shape.
    private(set) var edges: [(edge: Edge?, shape: [Int])]
    private var rule: ((Tensor) -> [Tensor?])?

    init(op: OpKind, inputs: [Tensor], rule: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.edges = inputs.map { x in
            guard x.requiresGrad else { return (nil, x.shape) }
            return (x.gradFn.map { .node($0) } ?? .leaf(x), x.shape)
        }
        self.rule = rule
    }

    public var isReleased: Bool { rule == nil }
    /// Number of recorded inputs (0 once released).
    public var inputCount: Int { edges.count }
    /// The recorded inputs that are leaves needing a gradient (parameters), in input order.
    public var leafInputs: [Tensor] {
        edges.compactMap { if case .leaf(let x) = $0.edge { return x } else { return nil } }
    }
    /// The nodes that made the recorded inputs, in input order.
    public var inputNodes: [Node] {
        edges.compactMap { if case .node(let n) = $0.edge { return n } else { return nil } }
    }

    func apply(_ grad: Tensor) -> [Tensor?] {
        guard let rule else {
            fatalError("\(op): backward through a graph that was already released by backward()")
        }
        return rule(grad)
    }

    func release() {
        edges = []
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
        guard let rootNode = root.gradFn else {
            root.accumulateLeafGrad(seed)
            return
        }
        var order = topologicalOrder(rootNode)
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(rootNode): seed]
        for i in order.indices {
            let node = order[i]
            guard let g = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            let edges = node.edges
            let grads = node.apply(g)
            checkInvariant(grads.count == edges.count, "\(node.op): backward returned \(grads.count) grads for \(edges.count) inputs")
            node.release()
            for ((edge, shape), gx) in zip(edges, grads) {
                guard let edge, let gx else { continue }
                checkInvariant(gx.shape == shape, "\(node.op): gradient shape \(gx.shape) != input shape \(shape)")
                switch edge {
                case .leaf(let x):
                    x.accumulateLeafGrad(gx)
                case .node(let producer):
                    let key = ObjectIdentifier(producer)
                    pending[key] = pending[key].map { $0.addingGradient(gx) } ?? gx
                }
            }
        }
        order.removeAll()
    }

    /// The nodes reachable from `root`, each before all of the nodes that made its inputs.
    private static func topologicalOrder(_ root: Node) -> [Node] {
        var post: [Node] = []
        var visited = Set<ObjectIdentifier>([ObjectIdentifier(root)])
        var stack: [(Node, Int)] = [(root, 0)]
        while let (node, next) = stack.popLast() {
            let edges = node.edges
            if next < edges.count {
                stack.append((node, next + 1))
                if case .node(let producer)? = edges[next].edge, visited.insert(ObjectIdentifier(producer)).inserted {
                    stack.append((producer, 0))
                }
            } else {
                post.append(node)
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
