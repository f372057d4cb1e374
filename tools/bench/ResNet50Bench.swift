import ArgumentParser
import Autograd
import Foundation
import Kernels

/// `bench resnet50`: a ResNet-50 forward (BN in eval mode, no grad) at 1x3x800x1216 and a
/// training step (BN in train mode; forward, backward of the summed logits, SGD update) at
/// 2x3x512x512: the work `python3 ../shared/bench/torch_cpu.py resnet50` times in PyTorch.
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
        let net = ResNet50Trunk(rng: &rng)
        print("bench resnet50: median of \(reps) after \(warmup) warm-up; cores \(Parallel.workers), "
              + "BLAS threads \(Gemm.threads), OPENBLAS_THREAD_TIMEOUT \(BLASEnvironment.spinSetting), load \(Timing.loadAverage())")

        let image = Tensor.normal([1, 3, 800, 1216], using: &rng)
        let forward = Timing.interleavedMedians(reps: reps, warmup: warmup, [{
            let c5 = withNoGrad { net.features(image, training: false) }
            precondition(c5.shape == [1, 2048, 25, 38], "unexpected C5 shape \(c5.shape)")
        }])[0]
        print(String(format: "resnet50-forward-ms: %.1f", forward * 1000))

        let batch = Tensor.normal([2, 3, 512, 512], using: &rng)
        let params = net.parameters
        let sgd = MomentumSGD(params, lr: 0.01, momentum: 0.9)
        let step = Timing.interleavedMedians(reps: reps, warmup: warmup, [{
            for p in params { p.zeroGrad() }
            let loss = net.logits(batch, training: true).sum()
            loss.backward()
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
