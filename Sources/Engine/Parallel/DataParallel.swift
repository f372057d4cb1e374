import Autograd
import Distributed
import Foundation
import NN

/// Data parallelism as mmengine's `MMDistributedDataParallel` gives it, over a `Communicator`:
/// every process holds the whole model; rank 0's weights and buffers are copied to all at the
/// start, and after each backward every trainable parameter's gradient is replaced by its mean
/// over the processes (summed in place by all-reduce, in buckets of `bucketCapMB`, the first of
/// 1 MiB, in reverse registration order as PyTorch's reducer lays them out; a parameter with no
/// gradient on a process counts as zeros there, and one with no gradient on any process keeps
/// none, so that the optimizer leaves it alone as in a single process). The log values, a
/// non-finite flag and one had-a-gradient flag per parameter travel in the same all-reduce, so
/// every process logs the same means and stops at the same step.
public final class DataParallel {
    public let communicator: any Communicator
    /// Trainable parameters, last registered first.
    let parameters: [(String, Tensor)]
    let bucketElements: Int
    private var flat: [Float]

    public init(model: any Module, communicator: any Communicator, bucketCapMB: Double = 25) {
        self.communicator = communicator
        parameters = model.namedParameters().filter { $0.1.requiresGrad }.reversed()
        bucketElements = max(Int(bucketCapMB * 1_048_576 / 4), 1)
        flat = []
    }

    /// Elements of one gradient (all trainable parameters).
    public var gradientElements: Int { parameters.reduce(0) { $0 + $1.1.count } }

    /// Rank 0's parameters and buffers on every process (state-dict order, in place).
    public func broadcastState(of model: any Module) throws {
        for entry in model.stateDict() {
            try entry.tensor.update { try communicator.broadcast($0, root: 0) }
        }
    }

    /// Whether every process holds the same parameters and buffers (only the parameters with
    /// `parametersOnly`: unsynchronized BN's running statistics are each process's own, as with
    /// mmengine's broadcast_buffers=False), bit for bit: a checksum of their bytes, compared by
    /// all-reduced maximum and minimum.
    public func replicasAgree(_ model: any Module, parametersOnly: Bool = false) throws -> Bool {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        let tensors = parametersOnly ? model.namedParameters().map(\.1) : model.stateDict().map(\.tensor)
        for tensor in tensors {
            tensor.withUnsafeBufferPointer { p in
                for v in p { hash = (hash ^ UInt64(v.bitPattern)) &* 0x100_0000_01B3 }
            }
        }
        let value = Double(hash >> 11)  // 53 bits: exact in a Double
        var extremes = [value, -value]
        try communicator.allReduceMax(&extremes)
        return extremes[0] == -extremes[1]
    }

    /// Averages the gradients over the processes, and `logValues` with them; returns whether
    /// any process had a non-finite gradient or log value (every process gets the same answer).
    @discardableResult
    public func averageGradients(logValues: inout [Double]) throws -> Bool {
        let n = gradientElements
        let tail = logValues.count + 1 + parameters.count
        if flat.count != n + tail { flat = [Float](repeating: 0, count: n + tail) }
        let flagAt = n + logValues.count, usedAt = flagAt + 1
        var nonFinite = logValues.contains { !$0.isFinite }
        flat.withUnsafeMutableBufferPointer { out in
            var offset = 0
            for (_, p) in parameters {
                let dst = out.baseAddress! + offset
                if let g = p.grad {
                    g.withUnsafeBufferPointer { src in
                        dst.update(from: src.baseAddress!, count: src.count)
                        for i in 0..<src.count where !src[i].isFinite { nonFinite = true }
                    }
                } else {
                    dst.update(repeating: 0, count: p.count)
                }
                offset += p.count
            }
        }
        // Log values go as Float in the same all-reduce; their means are logged, not trained on.
        for (i, v) in logValues.enumerated() { flat[n + i] = v.isFinite ? Float(v) : 0 }
        flat[flagAt] = nonFinite ? 1 : 0
        for (k, (_, p)) in parameters.enumerated() { flat[usedAt + k] = p.grad == nil ? 0 : 1 }
        try flat.withUnsafeMutableBufferPointer { all in
            var start = 0, size = min(262_144, bucketElements)  // the first bucket 1 MiB, as c10d's
            while start < all.count {
                let end = min(start + size, all.count)
                try communicator.allReduceSum(UnsafeMutableBufferPointer(rebasing: all[start..<end]))
                start = end
                size = bucketElements
            }
        }
        let scale = 1 / Float(communicator.size)
        var offset = 0
        for (k, (_, p)) in parameters.enumerated() {
            guard flat[usedAt + k] > 0 else {
                p.grad = nil
                offset += p.count
                continue
            }
            let values = [Float](unsafeUninitializedCapacity: p.count) { out, count in
                flat.withUnsafeBufferPointer { src in
                    for i in 0..<p.count { out[i] = src[offset + i] * scale }
                }
                count = p.count
            }
            p.grad = Tensor(shape: p.shape, values)
            offset += p.count
        }
        for i in logValues.indices { logValues[i] = Double(flat[n + i]) / Double(communicator.size) }
        return flat[flagAt] > 0
    }
}
