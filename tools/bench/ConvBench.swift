import ArgumentParser
import Autograd
import Foundation
import Kernels

/// `bench conv`: ResNet-50's convolutions (and a ResNeXt grouped 3x3) at 1x3x800x1216, and the
/// RoI heads' 3x3 convolutions on batches of RoIs, against raw `cblas_sgemm` on the equivalent
/// GEMM shapes (im2col's: the Winograd path does fewer FLOPs, so it can beat "raw").
///
/// Forward: our `Tensor.conv2d` under no-grad (im2col + GEMM, output allocation included) vs
/// the GEMM alone. Backward: the conv2d backward rule's work (allocate grad input and grad
/// weight, `Conv2dKernel.backward`: im2col + two GEMMs + col2im) vs the two raw GEMMs on the same
/// transposed shapes. Efficiency = our GFLOP/s over raw GFLOP/s, over all layers.
struct ConvBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "conv2d forward/backward vs raw sgemm on ResNet-50 and RoI-head layer shapes.")

    @Option(help: "Timed repetitions per measurement (the median is reported).")
    var reps = 7

    @Option(help: "Untimed warm-up runs per measurement.")
    var warmup = 2

    @Option(help: "Only layers whose name contains this string.")
    var filter: String?

    @Flag(help: "Time the kernels into preallocated outputs instead of the Tensor op (shows the cost of allocating outputs).")
    var kernels = false

    @Option(help: "With --kernels: floats per band of the column matrix (default: Conv2d's).")
    var columnBudget = Conv2dKernel.defaultColumnBudget

    func run() throws {
        let layers = ResNetConvLayers.all.filter { filter == nil || $0.name.contains(filter!) }
        print("bench conv: \(layers.count) layers, backbone input 1x3x800x1216, median of \(reps) after \(warmup) warm-up")
        // OpenBLAS workers spin (yielding) after each call for OPENBLAS_THREAD_TIMEOUT (2^n
        // cycles, default 2^28, read at load time), competing with our im2col threads.
        let spin = BLASEnvironment.spinSetting
        print("cores \(Parallel.workers), BLAS threads \(Gemm.threads), OPENBLAS_THREAD_TIMEOUT \(spin), load \(Timing.loadAverage())")
        print(ConvReport.header)
        var total = ConvTiming()
        for layer in layers {
            let t = measure(layer)
            print(ConvReport.row(layer, t))
            total.add(t, flops: layer.flops)
        }
        print("total: raw \(ConvReport.gflops(total.flops, total.rawForward)) GFLOP/s fwd, "
              + "ours \(ConvReport.gflops(total.flops, total.forward)) fwd, "
              + "\(ConvReport.gflops(2 * total.flops, total.backward)) bwd; load \(Timing.loadAverage())")
        print(String(format: "conv-forward-efficiency: %.3f", total.rawForward / total.forward))
        print(String(format: "conv-backward-efficiency: %.3f", total.rawBackward / total.backward))
    }

    /// Times raw sgemm and our op on one layer, interleaved round by round.
    func measure(_ l: ConvLayer) -> ConvTiming {
        let raw = RawGemms(l)
        let ours = OurConv(l, preallocated: kernels, columnBudget: columnBudget)
        let t = Timing.interleavedMedians(reps: reps, warmup: warmup, [
            raw.forward, ours.forward, raw.backward, ours.backward,
        ])
        return ConvTiming(rawForward: t[0], rawBackward: t[2], forward: t[1], backward: t[3])
    }
}

/// Raw sgemm per group on a layer's GEMM shapes: forward out = W * cols; backward
/// gW = gOut * cols^T and gCols = W^T * gOut.
struct RawGemms {
    let l: ConvLayer
    let w, cols, out, gw, gcols: BenchBuffer

    init(_ l: ConvLayer) {
        self.l = l
        w = BenchBuffer(l.groups * l.m * l.k, seed: 1)
        cols = BenchBuffer(l.groups * l.k * l.n, seed: 2)
        out = BenchBuffer(l.groups * l.m * l.n, seed: 3)
        gw = BenchBuffer(l.groups * l.m * l.k, seed: 4)
        gcols = BenchBuffer(l.groups * l.k * l.n, seed: 5)
    }

    func forward() {
        let (m, n, k) = (l.m, l.n, l.k)
        for g in 0..<l.groups {
            Gemm.sgemm(m: m, n: n, k: k, a: w.pointer + g * m * k, lda: k, b: cols.pointer + g * k * n,
                       ldb: n, c: out.pointer + g * m * n, ldc: n)
        }
    }

    func backward() {
        let (m, n, k) = (l.m, l.n, l.k)
        for g in 0..<l.groups {
            Gemm.sgemm(transB: true, m: m, n: k, k: n, a: out.pointer + g * m * n, lda: n,
                       b: cols.pointer + g * k * n, ldb: n, c: gw.pointer + g * m * k, ldc: k)
            Gemm.sgemm(transA: true, m: k, n: n, k: m, a: w.pointer + g * m * k, lda: k,
                       b: out.pointer + g * m * n, ldb: n, c: gcols.pointer + g * k * n, ldc: n)
        }
    }
}

/// Our conv2d on a layer: the forward through the Tensor op (no grad, output allocation
/// included), the backward as the op's backward rule runs it (allocate gradients, kernel).
struct OurConv {
    let l: ConvLayer
    let x, w, gradOut: Tensor
    /// Output buffers reused by every run (nil: allocate per run, as the op does).
    let out, gx, gw: TensorStorage?
    let columnBudget: Int

    init(_ l: ConvLayer, preallocated: Bool, columnBudget: Int) {
        self.l = l
        self.columnBudget = columnBudget
        let g = l.geometry
        x = Self.patternTensor([l.batch, l.cin, l.height, l.width], seed: 6)
        w = Self.patternTensor([l.cout, l.cin / l.groups, l.kernel, l.kernel], seed: 7)
        gradOut = Self.patternTensor([l.batch, l.cout, g.outH, g.outW], seed: 8)
        out = preallocated ? Self.patternTensor(gradOut.shape, seed: 9).storage : nil
        gx = preallocated ? Self.patternTensor(x.shape, seed: 10).storage : nil
        gw = preallocated ? Self.patternTensor(w.shape, seed: 11).storage : nil
    }

    func forward() {
        guard let out else {
            _ = withNoGrad { x.conv2d(weight: w, stride: l.stride, padding: l.padding, groups: l.groups) }
            return
        }
        Conv2dKernel.forward(x: x.storage.pointer, weight: w.storage.pointer, bias: nil, out: out.pointer, batch: l.batch,
                       outChannels: l.cout, groups: l.groups, geometry: l.geometry, columnBudget: columnBudget)
    }

    func backward() {
        let gx = self.gx ?? TensorStorage(uninitializedCount: x.count)
        let gw = self.gw ?? TensorStorage(uninitializedCount: w.count)
        Conv2dKernel.backward(x: x.storage.pointer, weight: w.storage.pointer, gradOut: gradOut.storage.pointer,
                        batch: l.batch, outChannels: l.cout, groups: l.groups, geometry: l.geometry,
                        gradX: gx.pointer, gradWeight: gw.pointer, gradBias: nil,
                        columnBudget: out == nil ? Conv2dKernel.defaultColumnBudget : columnBudget)
    }

    static func patternTensor(_ shape: [Int], seed: Int) -> Tensor {
        let n = shape.reduce(1, *)
        let storage = TensorStorage(uninitializedCount: n)
        let src = BenchBuffer(n, seed: seed)
        storage.pointer.update(from: src.pointer, count: n)
        return Tensor(shape: shape, storage: storage)
    }
}

/// Seconds per measurement of one layer, or summed over layers (with their FLOPs).
struct ConvTiming {
    var rawForward = 0.0, rawBackward = 0.0, forward = 0.0, backward = 0.0
    var flops = 0.0

    mutating func add(_ t: ConvTiming, flops f: Double) {
        rawForward += t.rawForward
        rawBackward += t.rawBackward
        forward += t.forward
        backward += t.backward
        flops += f
    }
}

/// Table formatting for `bench conv`.
enum ConvReport {
    static let header = pad("layer", 26) + pad("shape", 36)
        + "  raw GF/s  fwd GF/s  fwd/raw  bwd GF/s  bwd/raw"

    static func row(_ l: ConvLayer, _ t: ConvTiming) -> String {
        pad(l.name, 26) + pad(l.shapeDescription, 36)
            + String(format: "  %8.1f  %8.1f  %7.3f  %8.1f  %7.3f",
                     l.flops / t.rawForward * 1e-9, l.flops / t.forward * 1e-9, t.rawForward / t.forward,
                     2 * l.flops / t.backward * 1e-9, t.rawBackward / t.backward)
    }

    static func gflops(_ flops: Double, _ seconds: Double) -> String {
        String(format: "%.1f", flops / seconds * 1e-9)
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
