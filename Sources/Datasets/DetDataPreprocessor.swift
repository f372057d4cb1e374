import Autograd
import Config
import Structures
import Kernels

/// A batch ready for a detector: the normalized, padded images and their samples with
/// `pad_shape` and `batch_input_shape` filled in.
public struct DetBatch: Sendable {
    /// (N, 3, H, W), H and W the batch maximum rounded up to `pad_size_divisor`.
    public var inputs: Tensor
    public var samples: [DetSample]

    public init(inputs: Tensor, samples: [DetSample]) {
        self.inputs = inputs
        self.samples = samples
    }
}

/// mmdetection's `DetDataPreprocessor` (on mmengine's `ImgDataPreprocessor`): each 8-bit
/// image becomes Float32, BGR -> RGB when `bgr_to_rgb`, `(x - mean) / std` per channel (a
/// Float32 division, as torch computes it), then the batch is zero-padded on the right and
/// bottom to its largest image rounded up to `pad_size_divisor`. With `pad_mask`, training
/// masks are padded to the batch shape too.
public struct DetDataPreprocessor: Sendable {
    public var mean: [Float]?
    public var std: [Float]?
    public var swapChannels: Bool
    public var padSizeDivisor: Int
    /// The largest `pad_size_divisor`: mmdetection's configs use 1 to 128.
    public static let largestPadDivisor = 1024
    public var padValue: Float
    public var padMask: Bool
    public var maskPadValue: UInt8

    public init(mean: [Float]? = [123.675, 116.28, 103.53], std: [Float]? = [58.395, 57.12, 57.375],
                bgrToRgb: Bool = true, padSizeDivisor: Int = 32, padValue: Float = 0,
                padMask: Bool = false, maskPadValue: UInt8 = 0) {
        checkInvariant((mean == nil) == (std == nil), "DetDataPreprocessor: mean and std go together")
        checkInvariant(padSizeDivisor >= 1, "DetDataPreprocessor: pad_size_divisor \(padSizeDivisor)")
        self.mean = mean
        self.std = std
        self.swapChannels = bgrToRgb
        self.padSizeDivisor = padSizeDivisor
        self.padValue = padValue
        self.padMask = padMask
        self.maskPadValue = maskPadValue
    }

    /// From `model.data_preprocessor` (type `DetDataPreprocessor`).
    public init(config c: ConfigView) throws {
        try c.accept(["type", "mean", "std", "pad_size_divisor", "pad_value", "bgr_to_rgb", "rgb_to_bgr", "pad_mask",
                      "mask_pad_value", "pad_seg", "seg_pad_value", "boxtype2tensor", "non_blocking", "batch_augments"])
        if let type = try c.optionalString("type"), type.split(separator: ".").last != "DetDataPreprocessor" {
            throw c.error("type", "unsupported data preprocessor '\(type)' (expected DetDataPreprocessor)")
        }
        // Per channel (B, G, R or R, G, B), in pixel units.
        func floats(_ key: String, in range: ClosedRange<Double>) throws -> [Float]? {
            guard let v = c.value(key), !v.isNone else { return nil }
            return try c.doubles(key, in: range, count: 3...3).map(Float.init)
        }
        let mean = try floats("mean", in: 0...255), std = try floats("std", in: 1e-6...255)
        guard (mean == nil) == (std == nil) else { throw c.error(mean == nil ? "mean" : "std", "mean and std must both be given") }
        let bgrToRgb = try c.bool("bgr_to_rgb", default: false), rgbToBgr = try c.bool("rgb_to_bgr", default: false)
        guard !(bgrToRgb && rgbToBgr) else { throw c.error("bgr_to_rgb", "bgr_to_rgb and rgb_to_bgr cannot both be True") }
        if try c.bool("pad_seg", default: false) { throw c.error("pad_seg", "semantic segmentation is not supported") }
        if let b = c.value("batch_augments"), !b.isNone { throw c.error("batch_augments", "batch augmentations are not supported") }
        let divisor = try c.int("pad_size_divisor", default: 1, in: 1...Self.largestPadDivisor,
                                why: "every image is padded to a multiple of it")
        let maskPad = try c.int("mask_pad_value", default: 0, in: 0...255)
        self.init(mean: mean, std: std, bgrToRgb: bgrToRgb || rgbToBgr, padSizeDivisor: divisor,
                  padValue: Float(try c.double("pad_value", default: 0, in: -255...255)), padMask: try c.bool("pad_mask", default: false),
                  maskPadValue: UInt8(maskPad))
    }

    /// `x` rounded up to a multiple of the divisor.
    public func padded(_ x: Int) -> Int { (x + padSizeDivisor - 1) / padSizeDivisor * padSizeDivisor }

    public func callAsFunction(_ batch: [PackedSample], training: Bool) -> DetBatch {
        checkInvariant(!batch.isEmpty, "DetDataPreprocessor: empty batch")
        let maxH = padded(batch.map(\.image.height).max()!), maxW = padded(batch.map(\.image.width).max()!)
        let plane = maxH * maxW
        let storage = TensorStorage(count: batch.count * 3 * plane, repeating: padValue)
        var samples: [DetSample] = []
        for (n, packed) in batch.enumerated() {
            fill(packed.image, into: storage.pointer + n * 3 * plane, height: maxH, width: maxW)
            var s = packed.sample
            s.meta.padShape = [padded(packed.image.height), padded(packed.image.width)]
            s.meta.batchInputShape = [maxH, maxW]
            if padMask && training { s.gtInstances.masks = pad(s.gtInstances.masks, maxH, maxW) }
            samples.append(s)
        }
        return DetBatch(inputs: Tensor(shape: [batch.count, 3, maxH, maxW], storage: storage), samples: samples)
    }

    // image: (h, w, 3) u8 BGR; out: (3, H, W) with H >= h, W >= w
    private func fill(_ image: ImageU8, into out: UnsafeMutablePointer<Float>, height: Int, width: Int) {
        checkInvariant(image.channels == 3, "DetDataPreprocessor: \(image.channels)-channel image")
        let (h, w) = (image.height, image.width)
        image.pixels.withUnsafeBufferPointer { px in
            for c in 0..<3 {
                let src = swapChannels ? 2 - c : c
                let m = mean?[c] ?? 0, s = std?[c] ?? 1, normalize = mean != nil
                let dst = out + c * height * width
                for y in 0..<h {
                    let row = dst + y * width, srow = px.baseAddress! + y * w * 3 + src
                    if normalize {
                        for x in 0..<w { row[x] = (Float(srow[3 * x]) - m) / s }
                    } else {
                        for x in 0..<w { row[x] = Float(srow[3 * x]) }
                    }
                }
            }
        }
    }

    private func pad(_ masks: InstanceMasks?, _ h: Int, _ w: Int) -> InstanceMasks? {
        switch masks {
        case .bitmap(let m)?: return .bitmap(m.padded(height: h, width: w, value: maskPadValue))
        case .polygon(let m)?: return .polygon(m.padded(height: h, width: w))
        case nil: return nil
        }
    }
}
