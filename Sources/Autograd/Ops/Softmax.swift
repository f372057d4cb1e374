import Kernels

// softmax and log_softmax over one axis.

extension Tensor {
    /// softmax over `axis` (default: last).
    public func softmax(axis: Int = -1) -> Tensor { softmaxOp(axis: axis, log: false) }

    /// log(softmax(x)) over `axis`, computed stably.
    public func logSoftmax(axis: Int = -1) -> Tensor { softmaxOp(axis: axis, log: true) }

    private func softmaxOp(axis: Int, log: Bool) -> Tensor {
        let op: OpKind = log ? .logSoftmax : .softmax
        let a = normalizedAxes([axis], rank: rank, op: op)[0]
        let (outer, n, inner) = splitShape(at: a)
        let out = Tensor(uninitialized: shape)
        SoftmaxKernel.forward(ptr, outer: outer, n: n, inner: inner, log: log, out: out.ptr)
        let y = out.detach()
        let inShape = shape
        return Tensor.record(op, out, inputs: [self]) { g in
            let gx = Tensor(uninitialized: inShape)
            SoftmaxKernel.backward(y.ptr, g.ptr, outer: outer, n: n, inner: inner, log: log, dx: gx.ptr)
            return [gx]
        }
    }
}
