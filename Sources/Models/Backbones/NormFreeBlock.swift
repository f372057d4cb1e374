import Autograd
import NN

/// timm's `NormFreeBlock` (ResNet form, `reg=False`): out = shortcut + alpha * branch, with
/// h = act(x) * beta, branch = conv3(act(conv2(act(conv1(h))))) (times the learned scalar
/// `skipinit_gain` with skipinit), shortcut = x, or `downsample(h)` (2x2 average pool with
/// ceil mode and without padding counts, when strided, then a 1x1 conv) when the block changes
/// width or resolution. Keys: `skipinit_gain`, `downsample.conv`, `conv1`, `conv2`, [`conv2b`,]
/// `conv3`, timm's order.
public final class NormFreeBlock: Module {
    public var training = true
    let downsample: NFDownsample?
    public let conv1, conv2: Conv2d
    public let conv2b: Conv2d?
    public let conv3: Conv2d
    public let skipinitGain: Tensor?
    public let alpha, beta: Float
    let act: NFActivationSpec

    init(_ inC: Int, _ outC: Int, stride: Int, beta: Float, options o: NormFreeResNet.Options,
         conv: ConvSpec, act: NFActivationSpec) throws {
        var mid = NormFreeResNet.divisible(Double(outC) * o.bottleRatio, o.channelDivisor)
        var groups = 1
        if let size = o.groupSize {
            groups = mid / size
            if size % o.channelDivisor == 0 { mid = size * groups }
        }
        downsample = inC != outC || stride != 1 ? try NFDownsample(inC, outC, stride: stride, conv: conv) : nil
        conv1 = try Conv2d(inC, mid, kernelSize: 1, spec: conv)
        conv2 = try Conv2d(mid, mid, kernelSize: 3, stride: stride, padding: nfPadding(3, stride), groups: groups, spec: conv)
        conv2b = o.extraConv ? try Conv2d(mid, mid, kernelSize: 3, padding: 1, groups: groups, spec: conv) : nil
        guard case .scaledWeightStandardized(let gamma, let eps, _) = conv else { preconditionFailure("NF convs are scaled WS") }
        conv3 = try Conv2d(mid, outC, kernelSize: 1, spec: .scaledWeightStandardized(gamma: gamma, eps: eps, gainInit: o.skipinit ? 1 : 0))
        skipinitGain = o.skipinit ? try Tensor.parameter([], "skipinit_gain") : nil
        alpha = o.alpha
        self.beta = beta
        self.act = act
    }

    public var parameters: [(String, Tensor)] { skipinitGain.map { [("skipinit_gain", $0)] } ?? [] }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = downsample.map { [("downsample", $0)] } ?? []
        c += [("conv1", conv1), ("conv2", conv2)]
        if let conv2b { c.append(("conv2b", conv2b)) }
        c.append(("conv3", conv3))
        return c
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = act(x, scale: beta)
        let shortcut = downsample.map { $0(h) } ?? x
        var r = conv2(act(conv1(h)))
        if let conv2b { r = conv2b(act(r)) }
        r = conv3(act(r))
        if let skipinitGain { r = r * skipinitGain }
        return r * alpha + shortcut
    }
}

/// timm's `DownsampleAvg`: a 2x2 average pool (stride 2, ceil mode, padding not counted) when
/// strided, then a 1x1 conv. Key `conv` (the pool has none).
final class NFDownsample: Module {
    var training = true
    let conv: Conv2d
    let stride: Int

    init(_ inC: Int, _ outC: Int, stride: Int, conv spec: ConvSpec) throws {
        conv = try Conv2d(inC, outC, kernelSize: 1, spec: spec)
        self.stride = stride
    }

    var children: [(String, any Module)] { [("conv", conv)] }

    func callAsFunction(_ x: Tensor) -> Tensor {
        conv(stride > 1 ? x.avgPool2d(kernel: 2, stride: stride, ceilMode: true, countIncludePad: false) : x)
    }
}
