import Kernels

// matmul and linear (BLAS).

extension Tensor {
    /// Matrix product of (m, k) and (k, n), or batched (b, m, k) x (b, k, n).
    public func matmul(_ other: Tensor) -> Tensor {
        let a = self, b = other
        let batched = a.rank == 3 && b.rank == 3
        guard (a.rank == 2 && b.rank == 2) || batched,
            a.shape[a.rank - 1] == b.shape[b.rank - 2], !batched || a.shape[0] == b.shape[0]
        else { fatalError("matmul: cannot multiply shapes \(a.shape) and \(b.shape)") }
        let bs = batched ? a.shape[0] : 1
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        let out = Tensor(uninitialized: batched ? [bs, m, n] : [m, n])
        for i in 0..<bs {
            Gemm.sgemm(m: m, n: n, k: k, a: a.ptr + i * m * k, lda: k, b: b.ptr + i * k * n, ldb: n,
                       c: out.ptr + i * m * n, ldc: n)
        }
        return Tensor.record(.matmul, out, inputs: [a, b]) { g in
            var ga: Tensor? = nil, gb: Tensor? = nil
            if a.requiresGrad {
                let t = Tensor(uninitialized: a.shape)  // dA = dC B^T
                for i in 0..<bs {
                    Gemm.sgemm(transB: true, m: m, n: k, k: n, a: g.ptr + i * m * n, lda: n,
                               b: b.ptr + i * k * n, ldb: n, c: t.ptr + i * m * k, ldc: k)
                }
                ga = t
            }
            if b.requiresGrad {
                let t = Tensor(uninitialized: b.shape)  // dB = A^T dC
                for i in 0..<bs {
                    Gemm.sgemm(transA: true, m: k, n: n, k: m, a: a.ptr + i * m * k, lda: k,
                               b: g.ptr + i * m * n, ldb: n, c: t.ptr + i * k * n, ldc: n)
                }
                gb = t
            }
            return [ga, gb]
        }
    }

    /// y = x W^T + b, as torch.nn.functional.linear: x (N, in), weight (out, in), bias (out).
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        let x = self
        guard x.rank == 2, weight.rank == 2, x.shape[1] == weight.shape[1],
            bias == nil || bias!.shape == [weight.shape[0]]
        else {
            fatalError("linear: input \(x.shape), weight \(weight.shape), bias \(bias?.shape ?? [])")
        }
        let n = x.shape[0], fin = x.shape[1], fout = weight.shape[0]
        let out = Tensor(uninitialized: [n, fout])
        if let bias {
            for r in 0..<n { (out.ptr + r * fout).update(from: bias.ptr, count: fout) }
        }
        Gemm.sgemm(transB: true, m: n, n: fout, k: fin, a: x.ptr, lda: fin, b: weight.ptr, ldb: fin,
                   beta: bias == nil ? 0 : 1, c: out.ptr, ldc: fout)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.record(.linear, out, inputs: inputs) { g in
            var grads: [Tensor?] = [nil, nil]
            if x.requiresGrad {  // dx = g W
                let t = Tensor(uninitialized: x.shape)
                Gemm.sgemm(m: n, n: fin, k: fout, a: g.ptr, lda: fout, b: weight.ptr, ldb: fin, c: t.ptr, ldc: fin)
                grads[0] = t
            }
            if weight.requiresGrad {  // dW = g^T x
                let t = Tensor(uninitialized: weight.shape)
                Gemm.sgemm(transA: true, m: fout, n: fin, k: n, a: g.ptr, lda: fout, b: x.ptr, ldb: fin, c: t.ptr, ldc: fin)
                grads[1] = t
            }
            if let bias {
                grads.append(bias.requiresGrad ? g.sumTo([fout]) : nil)
            }
            return grads
        }
    }
}
