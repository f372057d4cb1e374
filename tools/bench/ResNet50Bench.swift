import ArgumentParser
import Autograd
import Foundation
import Kernels
import Models
import NN

/// `bench resnet50`: SwiftDet's ResNet-50 backbone (Models.ResNet, BN) forward in eval mode at
/// 1x3x800x1216 (C2-C5, no grad), and a training step at 2x3x512x512 (BN in train mode; C5,
/// global average pool and a 1000-way fc as torchvision's resnet50, backward of the summed
/// logits, SGD with momentum): the work the reference harness's `torch_cpu.py resnet50` (outside the project; README, Benchmarks) times.
struct ResNet50Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resnet50",
        abstract: "ResNet-50 forward and train-step times (median ms), as torch_cpu.py resnet50.")

    @Option(help: "Timed repetitions per measurement (the median is reported).")
    var reps = 3

    @Option(help: "Untimed warm-up runs per measurement.")
    var warmup = 1

    func run() throws {
        var rng = SeededGenerator(seed: 0)
        var options = ResNet.Options()
        options.normEval = false  // BN follows the mode, as torchvision's model in train()
        let backbone = try ResNet(options)
        for (_, p) in backbone.namedParameters() where p.rank == 4 {
            Init.kaiming(p, mode: .fanOut, nonlinearity: "relu", using: &rng)
        }
        let fc = try Linear(2048, 1000)
        fc.resetParameters(using: &rng)
        print("bench resnet50: median of \(reps) after \(warmup) warm-up; cores \(Parallel.workers), "
              + "BLAS threads \(Gemm.threads), OPENBLAS_THREAD_TIMEOUT \(BLASEnvironment.spinSetting), load \(Timing.loadAverage())")

        backbone.eval()
        let image = Tensor.normal([1, 3, 800, 1216], using: &rng)
        let forward = Timing.interleavedMedians(reps: reps, warmup: warmup, [{
            let c5 = withNoGrad { backbone(image) }.last!
            precondition(c5.shape == [1, 2048, 25, 38], "unexpected C5 shape \(c5.shape)")
        }])[0]
        print(String(format: "resnet50-forward-ms: %.1f", forward * 1000))

        backbone.train()
        let batch = Tensor.normal([2, 3, 512, 512], using: &rng)
        let params = backbone.namedParameters().map(\.1) + fc.namedParameters().map(\.1)
        let sgd = MomentumSGD(params, lr: 0.01, momentum: 0.9)
        let step = Timing.interleavedMedians(reps: reps, warmup: warmup, [{
            for p in params { p.zeroGrad() }
            let logits = fc(backbone(batch).last!.mean(axes: [2, 3]))
            logits.sum().backward()
            sgd.step()
        }])[0]
        print(String(format: "resnet50-train-step-ms: %.1f", step * 1000))
    }
}

/// SGD with momentum as torch.optim.SGD (v = m v + g; p -= lr v), the update torch_cpu.py
/// times. The engine's optimizer comes in a later issue.
final class MomentumSGD {
    let params: [Tensor]
    let velocity: [Tensor]
    let lr, momentum: Float

    init(_ params: [Tensor], lr: Float, momentum: Float) {
        self.params = params
        self.velocity = params.map { Tensor.zeros($0.shape) }
        self.lr = lr
        self.momentum = momentum
    }

    func step() {
        for (p, v) in zip(params, velocity) {
            guard let g = p.grad else { continue }
            g.withUnsafeBufferPointer { gb in
                v.update { vb in
                    p.update { pb in
                        for i in pb.indices {
                            vb[i] = momentum * vb[i] + gb[i]
                            pb[i] -= lr * vb[i]
                        }
                    }
                }
            }
        }
    }
}
