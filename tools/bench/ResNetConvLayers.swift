import Kernels

/// One convolution to benchmark: its batch, channels, input size, kernel, stride, padding,
/// groups, and the equivalent GEMM (per group: M = Cout / groups, K = Cin / groups * kh * kw,
/// N = batch * Hout * Wout; `groups` such products).
struct ConvLayer {
    let name: String
    let cin: Int
    let cout: Int
    let height: Int
    let width: Int
    let kernel: Int
    let stride: Int
    let padding: Int
    var groups: Int = 1
    var batch: Int = 1

    var geometry: ConvGeometry {
        ConvGeometry(channels: cin, height: height, width: width, kernel: (kernel, kernel),
                     stride: (stride, stride), padding: (padding, padding))
    }
    var m: Int { cout / groups }
    var k: Int { cin / groups * kernel * kernel }
    var n: Int { batch * geometry.outPlane }
    /// FLOPs of the forward GEMMs (2 M N K per group); the backward does twice as many.
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) * Double(groups) }

    var shapeDescription: String {
        let g = geometry
        return (batch > 1 ? "\(batch)x" : "") + "\(cin)x\(height)x\(width)->\(cout)x\(g.outH)x\(g.outW) k\(kernel)s\(stride)"
            + (groups > 1 ? "g\(groups)" : "")
    }
}

/// The distinct convolutions of ResNet-50 (pytorch style: stride on the 3x3) on a
/// 1x3x800x1216 input, plus one ResNeXt-32x4d grouped 3x3. Stage resolutions: 200x304,
/// 100x152, 50x76, 25x38. The first block of stages 2-4 runs conv1 and its stride-2 3x3 and
/// 1x1 downsample on the previous stage's resolution. Stage 1's stride-1 downsample has the
/// shape of its conv3 and is listed once. Then the 3x3 convolutions of the RoI heads (4conv1fc
/// box head, mask head) on batches of RoI planes: training's 2 x 512 sampled RoIs, inference's
/// 1000 proposals and 100 detections.
enum ResNetConvLayers {
    static let all: [ConvLayer] = stem + stage1 + laterStages + [resnextGrouped] + roiHeads + smallPlanes

    static let stem = [ConvLayer(name: "stem.conv7x7", cin: 3, cout: 64, height: 800, width: 1216, kernel: 7, stride: 2, padding: 3)]

    static let stage1: [ConvLayer] = [
        ConvLayer(name: "layer1.0.conv1", cin: 64, cout: 64, height: 200, width: 304, kernel: 1, stride: 1, padding: 0),
        ConvLayer(name: "layer1.conv1", cin: 256, cout: 64, height: 200, width: 304, kernel: 1, stride: 1, padding: 0),
        ConvLayer(name: "layer1.conv2", cin: 64, cout: 64, height: 200, width: 304, kernel: 3, stride: 1, padding: 1),
        ConvLayer(name: "layer1.conv3", cin: 64, cout: 256, height: 200, width: 304, kernel: 1, stride: 1, padding: 0),
    ]

    /// Stages 2-4: (planes, input resolution of the stage's first block).
    static let laterStages: [ConvLayer] = [(2, 128, 200, 304), (3, 256, 100, 152), (4, 512, 50, 76)]
        .flatMap { stage, planes, h, w in
            let inC = planes * 2  // the previous stage's output: 4 * planes / 2
            let (h2, w2) = (h / 2, w / 2)
            return [
                ConvLayer(name: "layer\(stage).0.conv1", cin: inC, cout: planes, height: h, width: w, kernel: 1, stride: 1, padding: 0),
                ConvLayer(name: "layer\(stage).0.conv2", cin: planes, cout: planes, height: h, width: w, kernel: 3, stride: 2, padding: 1),
                ConvLayer(name: "layer\(stage).0.downsample", cin: inC, cout: planes * 4, height: h, width: w, kernel: 1, stride: 2, padding: 0),
                ConvLayer(name: "layer\(stage).conv1", cin: planes * 4, cout: planes, height: h2, width: w2, kernel: 1, stride: 1, padding: 0),
                ConvLayer(name: "layer\(stage).conv2", cin: planes, cout: planes, height: h2, width: w2, kernel: 3, stride: 1, padding: 1),
                ConvLayer(name: "layer\(stage).conv3", cin: planes, cout: planes * 4, height: h2, width: w2, kernel: 1, stride: 1, padding: 0),
            ]
        }

    static let resnextGrouped = ConvLayer(
        name: "x101-32x4d.layer1.conv2", cin: 128, cout: 128, height: 200, width: 304, kernel: 3, stride: 1,
        padding: 1, groups: 32)

    static let roiHeads = [
        ConvLayer(name: "roi.box-head.train", cin: 256, cout: 256, height: 7, width: 7, kernel: 3, stride: 1,
                  padding: 1, batch: 1024),
        ConvLayer(name: "roi.box-head.infer", cin: 256, cout: 256, height: 7, width: 7, kernel: 3, stride: 1,
                  padding: 1, batch: 1000),
        ConvLayer(name: "roi.mask-head.infer", cin: 256, cout: 256, height: 14, width: 14, kernel: 3, stride: 1,
                  padding: 1, batch: 100),
    ]

    /// The 3x3 convolutions of a train step (2 images of 512x512) and of inference on small
    /// pyramid levels: few tiles per GEMM, where the Winograd path's threshold (`minTiles`) sits.
    static let smallPlanes = [
        ConvLayer(name: "train.layer4.conv2", cin: 512, cout: 512, height: 16, width: 16, kernel: 3, stride: 1,
                  padding: 1, batch: 2),
        ConvLayer(name: "train.fpn.p4", cin: 256, cout: 256, height: 32, width: 32, kernel: 3, stride: 1,
                  padding: 1, batch: 2),
        ConvLayer(name: "train.fpn.p5", cin: 256, cout: 256, height: 16, width: 16, kernel: 3, stride: 1,
                  padding: 1, batch: 2),
        ConvLayer(name: "train.rpn.p6", cin: 256, cout: 256, height: 8, width: 8, kernel: 3, stride: 1,
                  padding: 1, batch: 2),
        ConvLayer(name: "infer.fpn.p5", cin: 256, cout: 256, height: 25, width: 38, kernel: 3, stride: 1,
                  padding: 1),
        ConvLayer(name: "infer.rpn.p6", cin: 256, cout: 256, height: 13, width: 19, kernel: 3, stride: 1,
                  padding: 1),
    ]
}
