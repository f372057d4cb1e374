import Autograd
import Kernels
import Testing

/// One gradient-check case: inputs (those with requiresGrad are checked) and the function.
struct GradCase: CustomStringConvertible {
    var name: String
    var inputs: [Tensor]
    var eps: Float = 1e-2
    var atol: Double = 2e-3
    var rtol: Double = 1e-2
    var fn: ([Tensor]) -> Tensor
    var description: String { name }
}

/// Central-difference gradient check: L = sum(f(x) * w) with a fixed random w, accumulated in
/// Double; compares dL/dx from backward() with (L(x + eps) - L(x - eps)) / (2 eps).
enum GradCheck {
    static func run(_ c: GradCase, op: OpKind, sourceLocation: SourceLocation = #_sourceLocation) {
        var rng = SeededGenerator(seed: 1234)
        let out0 = c.fn(c.inputs)
        #expect(graphContains(out0, op), "\(op)/\(c.name): the case does not record a \(op) node", sourceLocation: sourceLocation)
        let w = Tensor.normal(out0.shape, using: &rng)
        let wv = w.scalars.map(Double.init)
        func loss() -> Double {
            let y = withNoGrad { c.fn(c.inputs) }
            return zip(y.scalars, wv).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        }
        for x in c.inputs where x.requiresGrad { x.grad = nil }
        let y = c.fn(c.inputs)
        y.backward(w)
        for (k, x) in c.inputs.enumerated() where x.requiresGrad {
            guard let g = x.grad else {
                Issue.record("\(op)/\(c.name): input \(k) got no gradient", sourceLocation: sourceLocation)
                continue
            }
            let analytic = g.scalars
            var worst = ""
            var failures = 0
            for i in 0..<x.count {
                let orig = x.scalars[i]
                x.update { $0[i] = orig + c.eps }
                let lp = loss()
                x.update { $0[i] = orig - c.eps }
                let lm = loss()
                x.update { $0[i] = orig }
                let numeric = (lp - lm) / (2 * Double(c.eps))
                let a = Double(analytic[i])
                if Swift.abs(a - numeric) > c.atol + c.rtol * Swift.abs(numeric) || a.isNaN {
                    failures += 1
                    if worst.isEmpty { worst = "element \(i): analytic \(a), numeric \(numeric)" }
                }
            }
            if failures > 0 {
                Issue.record("\(op)/\(c.name): input \(k): \(failures) of \(x.count) gradients off; first \(worst)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Whether the graph behind `t` records an `op` node.
    static func graphContains(_ t: Tensor, _ op: OpKind) -> Bool {
        var stack = t.gradFn.map { [$0] } ?? []
        var seen = Set<ObjectIdentifier>()
        while let node = stack.popLast() {
            guard seen.insert(ObjectIdentifier(node)).inserted else { continue }
            if node.op == op { return true }
            stack.append(contentsOf: node.inputNodes)
        }
        return false
    }
}

/// Seeded inputs for gradient cases.
enum Inputs {
    /// Normal values, requiring grad.
    static func randn(_ shape: [Int], seed: UInt64, scale: Float = 1, grad: Bool = true) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let t = Tensor.normal(shape, std: scale, using: &rng)
        t.requiresGrad = grad
        return t
    }
    /// Distinct values at least `gap` apart and away from 0 (for max, relu, abs, pooling).
    static func distinct(_ shape: [Int], seed: UInt64, gap: Float = 0.05, grad: Bool = true) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let n = shape.reduce(1, *)
        var vals = (0..<n).map { i -> Float in
            let k = i - n / 2
            return Float(k) * gap + (k >= 0 ? gap / 2 : -gap / 2)
        }
        vals.shuffle(using: &rng)
        return Tensor(shape: shape, vals, requiresGrad: grad)
    }
    /// Positive values in [lo, hi) (for log, sqrt, div denominators).
    static func positive(_ shape: [Int], seed: UInt64, lo: Float = 0.5, hi: Float = 2, grad: Bool = true) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: lo, high: hi, using: &rng, requiresGrad: grad)
    }
}
