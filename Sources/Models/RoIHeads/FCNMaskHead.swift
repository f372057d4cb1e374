import Autograd
import Config
import Kernels
import NN

/// mmdetection's `FCNMaskHead` (He et al., Mask R-CNN): 3x3 ConvModules, a 2x2 stride-2
/// transposed conv with ReLU, and a 1x1 conv to one mask logit map per class.
public final class FCNMaskHead: MaskHead {
    public var training = true
    public let convs: [ConvModule]
    public let upsample: ConvTranspose2d
    public let convLogits: Conv2d
    public let numClasses: Int
    /// `loss_mask` (CrossEntropyLoss with use_mask=True).
    public var maskLoss = ClassLoss()

    public init(numConvs: Int, inChannels: Int, convOutChannels: Int, numClasses: Int, conv: ConvSpec, norm: NormSpec?) throws {
        var list: [ConvModule] = []
        var c = inChannels
        for _ in 0..<numConvs {
            list.append(try ConvModule(c, convOutChannels, kernelSize: 3, padding: 1, conv: conv, norm: norm))
            c = convOutChannels
        }
        convs = list
        upsample = try ConvTranspose2d(c, convOutChannels, kernelSize: 2, stride: 2)
        convLogits = try Conv2d(convOutChannels, numClasses, kernelSize: 1)
        self.numClasses = numClasses
    }

    public var children: [(String, any Module)] {
        [("convs", ModuleList(convs)), ("upsample", upsample), ("conv_logits", convLogits)]
    }

    /// Mask logits (R, num_classes, 2S, 2S) from RoI features (R, C, S, S).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for conv in convs { h = conv(h) }
        return convLogits(upsample(h).relu())
    }

    /// mmdetection's init: convs as ConvModule; upsample and conv_logits Kaiming (fan_out,
    /// relu) with zero bias.
    public func initWeights(using rng: inout SeededGenerator) {
        for conv in convs { conv.initWeights(using: &rng) }
        for (w, b) in [(upsample.weight, upsample.bias), (convLogits.weight, convLogits.bias)] {
            Init.kaiming(w, mode: .fanOut, nonlinearity: "relu", using: &rng)
            if let b { Init.fill(b, 0) }
        }
    }
}

extension FCNMaskHead {
    /// The 3x3 convs keep the RoI size; the deconv doubles it.
    public func maskSize(roiSize: Int) -> Int { 2 * roiSize }

    /// mmdetection's `FCNMaskHead` config.
    public convenience init(config c: ConfigView) throws {
        try c.accept(["type", "num_convs", "roi_feat_size", "in_channels", "conv_kernel_size", "conv_out_channels",
                      "num_classes", "class_agnostic", "upsample_cfg", "conv_cfg", "norm_cfg", "predictor_cfg",
                      "loss_mask", "init_cfg"])
        guard try c.int("conv_kernel_size", default: 3) == 3 else { throw c.error("conv_kernel_size", "only 3 is supported") }
        try c.expectFlags(["class_agnostic"], false)
        try c.expectDefaultLayer("predictor_cfg", "Conv")
        try c.rejectInitConfig()
        if let up = try c.optionalView("upsample_cfg") { _ = try ModelRegistry.upsampleLayers.build(up) }
        try self.init(numConvs: try c.int("num_convs", default: 4, in: 0...ConvFCBBoxHead.mostLayers), inChannels: try c.int("in_channels", default: 256, atLeast: 1),
                  convOutChannels: try c.int("conv_out_channels", default: 256, atLeast: 1), numClasses: try c.int("num_classes", default: 80, atLeast: 1),
                  conv: try ConvSpec(config: try c.optionalView("conv_cfg")),
                  norm: try c.optionalView("norm_cfg").map { v in
                      let norm = try NormSpec(config: v)
                      try norm.check(channels: [try c.int("conv_out_channels", default: 256, atLeast: 1)], v)
                      return norm
                  })
        maskLoss = try ClassLoss(config: try c.optionalView("loss_mask"), mask: true)
    }
}
