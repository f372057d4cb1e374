import Autograd
import Datasets
import Structures
import Testing

/// DetDataPreprocessor: BGR -> RGB, (x - mean) / std, zero padding to a multiple of 32,
/// pad_shape and batch_input_shape, pad_mask.
@Suite struct PreprocessorTests {
    static func packed(height: Int, width: Int, value: (UInt8, UInt8, UInt8), masks: Int = 0) -> PackedSample {
        var px: [UInt8] = []
        for _ in 0..<(height * width) { px += [value.0, value.1, value.2] }
        var s = DetSample()
        s.meta.imgShape = [height, width]
        let m = BitmapMasks(height: height, width: width, data: [UInt8](repeating: 1, count: masks * height * width))
        s.gtInstances = InstanceData(bboxes: HorizontalBoxes([Float](repeating: 1, count: 4 * masks)),
                                     labels: [Int](repeating: 0, count: masks), masks: .bitmap(m))
        return PackedSample(image: ImageU8(height: height, width: width, channels: 3, pixels: px), sample: s)
    }

    @Test func normalizesSwapsAndPadsTheBatch() {
        let pre = DetDataPreprocessor(padMask: true)
        let batch = pre([Self.packed(height: 40, width: 70, value: (10, 20, 30), masks: 2),
                         Self.packed(height: 65, width: 33, value: (0, 0, 255))], training: true)
        #expect(batch.inputs.shape == [2, 3, 96, 96])
        let v = batch.inputs.scalars
        func at(_ n: Int, _ c: Int, _ y: Int, _ x: Int) -> Float { v[((n * 3 + c) * 96 + y) * 96 + x] }
        #expect(at(0, 0, 0, 0) == (Float(30) - 123.675) / 58.395)  // R comes from the third byte
        #expect(at(0, 1, 39, 69) == (Float(20) - 116.28) / 57.12)
        #expect(at(0, 2, 5, 5) == (Float(10) - 103.53) / 57.375)
        #expect(at(0, 0, 40, 0) == 0 && at(0, 0, 0, 70) == 0)  // padding after normalization
        #expect(at(1, 0, 64, 32) == (Float(255) - 123.675) / 58.395 && at(1, 0, 65, 32) == 0)
        #expect(batch.samples[0].meta.padShape == [64, 96] && batch.samples[1].meta.padShape == [96, 64])
        #expect(batch.samples.allSatisfy { $0.meta.batchInputShape == [96, 96] })
        if case .bitmap(let m)? = batch.samples[0].gtInstances.masks {
            #expect(m.height == 96 && m.width == 96 && m.areas == [40 * 70, 40 * 70])
        } else { Issue.record("masks") }
        let eval = pre([Self.packed(height: 40, width: 70, value: (1, 2, 3), masks: 1)], training: false)
        if case .bitmap(let m)? = eval.samples[0].gtInstances.masks { #expect(m.height == 40) }
        #expect(eval.inputs.shape == [1, 3, 64, 96])
    }

    @Test func withoutNormalizationOrSwapTheBytesPassThrough() {
        let pre = DetDataPreprocessor(mean: nil, std: nil, bgrToRgb: false, padSizeDivisor: 1)
        let batch = pre([Self.packed(height: 3, width: 5, value: (7, 8, 9))], training: false)
        #expect(batch.inputs.shape == [1, 3, 3, 5])
        #expect(batch.inputs.scalars[0] == 7 && batch.inputs.scalars[15] == 8 && batch.inputs.scalars[30] == 9)
    }
}
