import Autograd
import NN

/// What every residual block needs to know about convs and norms.
struct BlockSpec {
    var conv: ConvSpec
    var norm: NormSpec
    /// 'pytorch' puts the stride on the 3x3 conv, 'caffe' on the first 1x1.
    var caffeStyle: Bool
    var groups = 1
    var baseWidth = 4
    var baseChannels = 64
}

/// A residual block of ResNet (BasicBlock or Bottleneck).
protocol ResidualBlock: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
    /// The last norm of the residual branch (zero_init_residual sets its γ to 0).
    var lastNorm: any NormLayer { get }
}

/// The shortcut projection: 1x1 conv (stride) + norm, as nn.Sequential keys `0` and `1`.
func makeDownsample(_ inC: Int, _ outC: Int, stride: Int, spec: BlockSpec) throws -> ModuleList {
    ModuleList([
        try Conv2d(inC, outC, kernelSize: 1, stride: stride, bias: false, spec: spec.conv),
        spec.norm.make(channels: outC),
    ])
}

func applyDownsample(_ d: ModuleList, _ x: Tensor) -> Tensor {
    let conv = d.modules[0] as! Conv2d
    let norm = d.modules[1] as! any NormLayer
    return norm(conv(x))
}

/// ResNet-18/34 block (He et al.): 3x3 -> 3x3, expansion 1.
final class BasicBlock: ResidualBlock {
    var training = true
    let conv1, conv2: Conv2d
    let norm1, norm2: any NormLayer
    let normName: String
    let downsample: ModuleList?

    init(_ inC: Int, _ planes: Int, stride: Int, dilation: Int, downsample: ModuleList?, spec: BlockSpec) throws {
        conv1 = try Conv2d(inC, planes, kernelSize: 3, stride: stride, padding: dilation, dilation: dilation, bias: false, spec: spec.conv)
        conv2 = try Conv2d(planes, planes, kernelSize: 3, padding: 1, bias: false, spec: spec.conv)
        norm1 = spec.norm.make(channels: planes)
        norm2 = spec.norm.make(channels: planes)
        normName = spec.norm.abbreviation
        self.downsample = downsample
    }

    var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("conv1", conv1), (normName + "1", norm1), ("conv2", conv2), (normName + "2", norm2)]
        if let downsample { c.append(("downsample", downsample)) }
        return c
    }
    var lastNorm: any NormLayer { norm2 }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var out = norm1.normReLU(conv1(x))
        out = norm2(conv2(out))
        let identity = downsample.map { applyDownsample($0, x) } ?? x
        return (out + identity).relu()
    }
}

/// ResNet-50/101/152 block (and ResNeXt's, with groups): 1x1 -> 3x3 -> 1x1, expansion 4.
final class Bottleneck: ResidualBlock {
    var training = true
    let conv1, conv2, conv3: Conv2d
    let norm1, norm2, norm3: any NormLayer
    let normName: String
    let downsample: ModuleList?

    init(_ inC: Int, _ planes: Int, stride: Int, dilation: Int, downsample: ModuleList?, spec: BlockSpec) throws {
        let width = spec.groups == 1 ? planes : (planes * spec.baseWidth / spec.baseChannels) * spec.groups
        let (s1, s2) = spec.caffeStyle ? (stride, 1) : (1, stride)
        conv1 = try Conv2d(inC, width, kernelSize: 1, stride: s1, bias: false, spec: spec.conv)
        conv2 = try Conv2d(width, width, kernelSize: 3, stride: s2, padding: dilation, dilation: dilation,
                       groups: spec.groups, bias: false, spec: spec.conv)
        conv3 = try Conv2d(width, planes * 4, kernelSize: 1, bias: false, spec: spec.conv)
        norm1 = spec.norm.make(channels: width)
        norm2 = spec.norm.make(channels: width)
        norm3 = spec.norm.make(channels: planes * 4)
        normName = spec.norm.abbreviation
        self.downsample = downsample
    }

    var children: [(String, any Module)] {
        var c: [(String, any Module)] = [
            ("conv1", conv1), (normName + "1", norm1), ("conv2", conv2), (normName + "2", norm2),
            ("conv3", conv3), (normName + "3", norm3),
        ]
        if let downsample { c.append(("downsample", downsample)) }
        return c
    }
    var lastNorm: any NormLayer { norm3 }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var out = norm1.normReLU(conv1(x))
        out = norm2.normReLU(conv2(out))
        out = norm3(conv3(out))
        let identity = downsample.map { applyDownsample($0, x) } ?? x
        return (out + identity).relu()
    }
}
