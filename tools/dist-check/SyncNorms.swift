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
    try checkSyncBNUnequalSizes(comm, reducer: reducer, into: &checks)
}

/// SyncBN when the processes' inputs differ in size (each pads its own batch): rank q holds a
/// (1, C, 3 + q, 4) input. Every rank computes the pooled statistics of all values itself (in
/// Double) and the output and input gradient they imply for its own input.
func checkSyncBNUnequalSizes(_ comm: any Communicator, reducer: CommunicatorReducer, into checks: inout [String: Bool]) throws {
    let c = 3, w = 4
    func input(_ q: Int) -> [Float] { (0..<(c * (3 + q) * w)).map { Float(sin(Double($0 * (q + 2)) * 0.61) * Double(q + 1) + Double($0 % c)) } }
    func upstream(_ q: Int) -> [Float] { (0..<(c * (3 + q) * w)).map { Float(cos(Double($0) * 0.29 + Double(q))) } }
    // Pooled per-channel statistics over every rank's values.
    var sum = [Double](repeating: 0, count: c), count = [Double](repeating: 0, count: c)
    for q in 0..<comm.size {
        let plane = (3 + q) * w
        for (i, v) in input(q).enumerated() { sum[i / plane] += Double(v); count[i / plane] += 1 }
    }
    let mean = (0..<c).map { sum[$0] / count[$0] }
    var sq = [Double](repeating: 0, count: c)
    for q in 0..<comm.size {
        let plane = (3 + q) * w
        for (i, v) in input(q).enumerated() { sq[i / plane] += (Double(v) - mean[i / plane]) * (Double(v) - mean[i / plane]) }
    }
    let variance = (0..<c).map { sq[$0] / count[$0] }
    let rstd = variance.map { 1 / ($0 + 1e-5).squareRoot() }
    var sumDy = [Double](repeating: 0, count: c), sumDyXhat = [Double](repeating: 0, count: c)
    for q in 0..<comm.size {
        let plane = (3 + q) * w, x = input(q), g = upstream(q)
        for i in x.indices {
            let ch = i / plane
            sumDy[ch] += Double(g[i])
            sumDyXhat[ch] += Double(g[i]) * (Double(x[i]) - mean[ch]) * rstd[ch]
        }
    }
    let r = comm.rank, plane = (3 + r) * w, x = input(r), g = upstream(r)
    let layer = BatchNorm2d(c, momentum: 1, synchronized: true)
    layer.reducer = reducer
    let t = Tensor(shape: [1, c, 3 + r, w], x, requiresGrad: true)
    let y = layer(t)
    (y * Tensor(shape: y.shape, g)).sum().backward()
    let ys = y.scalars, dx = t.grad!.scalars
    var ok = true, gradOK = true
    for i in x.indices {
        let ch = i / plane
        let xhat = (Double(x[i]) - mean[ch]) * rstd[ch]
        ok = ok && abs(Double(ys[i]) - xhat) <= 1e-5 * max(1, abs(xhat))
        let expected = rstd[ch] * (Double(g[i]) - sumDy[ch] / count[ch] - xhat * sumDyXhat[ch] / count[ch])
        gradOK = gradOK && abs(Double(dx[i]) - expected) <= 1e-5 * max(1, abs(expected))
    }
    let running = layer.runningMean.scalars, runningVar = layer.runningVar.scalars
    var stats = true
    for ch in 0..<c {
        let unbiased: Double = variance[ch] * count[ch] / (count[ch] - 1)
        let meanError: Double = abs(Double(running[ch]) - mean[ch])
        let varError: Double = abs(Double(runningVar[ch]) - unbiased)
        stats = stats && meanError <= 1e-5 * max(1, abs(mean[ch])) && varError <= 1e-5 * max(1, unbiased)
    }
    checks["syncbn_unequal_sizes_forward"] = ok
    checks["syncbn_unequal_sizes_running_statistics"] = stats
    checks["syncbn_unequal_sizes_input_gradient"] = gradOK
}
