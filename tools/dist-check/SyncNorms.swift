import Autograd
import Distributed
import Engine
import Foundation
import NN

/// SyncBN and synchronized SN over the job against BN and SN over the joined batch, computed
/// by every rank itself: rank r holds samples 2r and 2r + 1 of a (2 size, C, H, W) batch.
/// The forward output, the running statistics, the input gradient and the summed weight and
/// bias gradients must equal the joined batch's (BN's statistics are merged in the joined
/// batch's order, so its forward is bit for bit the same).
func checkSyncNorms(_ comm: any Communicator, into checks: inout [String: Bool]) throws {
    let r = comm.size > 0 ? comm.rank : 0, n = comm.size
    let c = 6, h = 5, w = 4, per = 2
    let plane = c * h * w
    func value(_ i: Int, _ salt: Double) -> Float { Float(sin(Double(i) * 0.37 + salt) * 2 + cos(Double(i % c) * 1.3) + salt) }
    let all = (0..<(n * per * plane)).map { value($0, 0.5) }
    let upstream = (0..<(n * per * plane)).map { value($0, -1.7) }
    let mine = Array(all[(r * per * plane)..<((r + 1) * per * plane)])
    let myUpstream = Array(upstream[(r * per * plane)..<((r + 1) * per * plane)])
    let reducer = CommunicatorReducer(comm)

    func run(_ layer: any NormLayer, _ x: [Float], _ g: [Float], samples: Int) -> (y: [Float], dx: [Float], grads: [[Float]], buffers: [[Float]]) {
        let input = Tensor(shape: [samples, c, h, w], x, requiresGrad: true)
        let y = layer(input)
        (y * Tensor(shape: y.shape, g)).sum().backward()
        return (y.scalars, input.grad!.scalars, layer.namedParameters().map { $0.1.grad!.scalars },
                layer.buffers.filter { !$0.isInteger }.map { $0.tensor.scalars })
    }
    func close(_ a: [Float], _ b: [Float], _ tolerance: Float) -> Bool {
        let scale = b.map(abs).max() ?? 1
        return a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(scale, 1e-12) }
    }
    for (name, make) in [("syncbn", { (sync: Bool) -> any NormLayer in BatchNorm2d(c, momentum: 0.1, synchronized: sync) }),
                         ("syncsn", { (sync: Bool) -> any NormLayer in SwitchNorm2d(c, synchronized: sync) })] {
        let synced = make(true), joined = make(false)
        (synced as! SynchronizableNorm).reducer = reducer
        if let sn = synced as? SwitchNorm2d, let reference = joined as? SwitchNorm2d {
            // Distinct mixing weights, so that the BN component matters.
            for (a, b) in [(sn.meanWeight, reference.meanWeight), (sn.varWeight, reference.varWeight)] {
                a.update { p in for i in p.indices { p[i] = Float(i) * 0.4 - 0.3 } }
                b.update { p in for i in p.indices { p[i] = Float(i) * 0.4 - 0.3 } }
            }
        }
        let local = run(synced, mine, myUpstream, samples: per)
        let ref = run(joined, all, upstream, samples: n * per)
        let slice = (r * per * plane)..<((r + 1) * per * plane)
        let tolerance: Float = name == "syncbn" ? 0 : 1e-6
        checks["\(name)_forward"] = close(local.y, Array(ref.y[slice]), tolerance)
        checks["\(name)_running_statistics"] = zip(local.buffers, ref.buffers).allSatisfy { close($0, $1, 1e-6) }
        checks["\(name)_input_gradient"] = close(local.dx, Array(ref.dx[slice]), 1e-5)
        // This rank's parameter gradients summed over the job: the joined batch's.
        var ok = true
        for (mineGrad, refGrad) in zip(local.grads, ref.grads) {
            var summed = mineGrad.map(Double.init)
            try comm.allReduceSum(&summed)
            ok = ok && close(summed.map(Float.init), refGrad, 1e-5)
        }
        checks["\(name)_parameter_gradients"] = ok
    }
}
