import Autograd
import Foundation
import Kernels

/// A ResNet-50 trunk written directly with Tensor ops (the NN module comes in a later issue):
/// the same layer shapes as torchvision's resnet50, to time against PyTorch on this machine.
final class ResNet50Trunk {
    struct Norm {
        let weight, bias, runningMean, runningVar: Tensor
        init(_ c: Int) {
            weight = Tensor.ones([c], requiresGrad: true)
            bias = Tensor.zeros([c], requiresGrad: true)
            runningMean = Tensor.zeros([c])
            runningVar = Tensor.ones([c])
        }
        func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
            x.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                        training: training)
        }
        var parameters: [Tensor] { [weight, bias] }
    }

    struct Block {
        let conv1, conv2, conv3: Tensor
        let bn1, bn2, bn3: Norm
        let downsample: (Tensor, Norm)?
        let stride: Int
        func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
            var out = bn1(x.conv2d(weight: conv1), training: training).relu()
            out = bn2(out.conv2d(weight: conv2, stride: stride, padding: 1), training: training).relu()
            out = bn3(out.conv2d(weight: conv3), training: training)
            let identity = downsample.map { $0.1(x.conv2d(weight: $0.0, stride: stride), training: training) } ?? x
            return (out + identity).relu()
        }
        var parameters: [Tensor] {
            [conv1, conv2, conv3] + bn1.parameters + bn2.parameters + bn3.parameters
                + (downsample.map { [$0.0] + $0.1.parameters } ?? [])
        }
    }

    let stem: Tensor
    let stemNorm: Norm
    var blocks: [Block] = []
    let fcWeight: Tensor
    let fcBias: Tensor

    init(rng: inout SeededGenerator) {
        func kaiming(_ shape: [Int]) -> Tensor {
            let fanOut = shape[0] * shape[2] * shape[3]
            return Tensor.normal(shape, std: (2 / Float(fanOut)).squareRoot(), using: &rng, requiresGrad: true)
        }
        stem = kaiming([64, 3, 7, 7])
        stemNorm = Norm(64)
        var inC = 64
        for (stage, depth) in [3, 4, 6, 3].enumerated() {
            let planes = 64 << stage
            for i in 0..<depth {
                let stride = (i == 0 && stage > 0) ? 2 : 1
                let down = i == 0 ? (kaiming([planes * 4, inC, 1, 1]), Norm(planes * 4)) : nil
                blocks.append(Block(
                    conv1: kaiming([planes, inC, 1, 1]), conv2: kaiming([planes, planes, 3, 3]),
                    conv3: kaiming([planes * 4, planes, 1, 1]),
                    bn1: Norm(planes), bn2: Norm(planes), bn3: Norm(planes * 4),
                    downsample: down, stride: stride))
                inC = planes * 4
            }
        }
        fcWeight = Tensor.normal([1000, 2048], std: 0.01, using: &rng, requiresGrad: true)
        fcBias = Tensor.zeros([1000], requiresGrad: true)
    }

    /// Feature map C5 (N, 2048, H/32, W/32).
    func features(_ x: Tensor, training: Bool) -> Tensor {
        var h = stemNorm(x.conv2d(weight: stem, stride: 2, padding: 3), training: training).relu()
        h = h.maxPool2d(kernel: 3, stride: 2, padding: 1)
        for b in blocks { h = b(h, training: training) }
        return h
    }

    /// Classifier logits (global average pool + fc), as torchvision's resnet50.
    func logits(_ x: Tensor, training: Bool) -> Tensor {
        features(x, training: training).mean(axes: [2, 3]).linear(weight: fcWeight, bias: fcBias)
    }

    var parameters: [Tensor] {
        [stem] + stemNorm.parameters + blocks.flatMap(\.parameters) + [fcWeight, fcBias]
    }
}
