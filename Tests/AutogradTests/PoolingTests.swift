import Autograd
import Foundation
import Kernels
import Testing

/// maxPool2d, avgPool2d and interpolateNearest against PyTorch fixtures and hand-computed values.
@Suite struct PoolingTests {
    /// torch's ceil-mode and count_include_pad rules on x = 1...35 as (5, 7) (torch 2.15 gives
    /// the same values). Ceil mode keeps a last window that starts inside the input: 2x2/2 on
    /// 7 columns gives 4, the last over column 6 alone ((7 + 14) / 2 = 10.5).
    @Test func avgPool2dCeilModeAndPaddingCounts() {
        let x = Tensor(shape: [1, 1, 5, 7], (1...35).map(Float.init))
        expectValues(x.avgPool2d(kernel: 2, stride: 2, ceilMode: true, countIncludePad: false),
                     [5, 7, 9, 10.5, 19, 21, 23, 24.5, 29.5, 31.5, 33.5, 35], shape: [1, 1, 3, 4], "2x2/2 ceil, cells only")
        // 3x3/2 pad 1: the corner window holds 4 cells (1 + 2 + 8 + 9 = 20): 20 / 9 with the padding
        // counted, 20 / 4 without.
        expectValues(x.avgPool2d(kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true),
                     [20.0 / 9, 39.0 / 9, 51.0 / 9, 40.0 / 9, 93.0 / 9, 17, 19, 123.0 / 9,
                      104.0 / 9, 165.0 / 9, 177.0 / 9, 124.0 / 9], shape: [1, 1, 3, 4], "3x3/2 pad 1, padding counted")
        expectValues(x.avgPool2d(kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false),
                     [5, 6.5, 8.5, 10, 15.5, 17, 19, 20.5, 26, 27.5, 29.5, 31], shape: [1, 1, 3, 4], "3x3/2 pad 1, cells only")
        // 6 rows, 3x3/2 pad 1, ceil: 4 rows out; the last window starts at row 5 and reaches past
        // the padding, whose part beyond it never counts: (26 + 27) / (2 * 3).
        let y = Tensor(shape: [1, 1, 6, 5], (1...30).map(Float.init))
        let out = y.avgPool2d(kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true)
        #expect(out.shape == [1, 1, 4, 3])
        #expect(Swift.abs(out.scalars[9] - 53.0 / 6) < 1e-5)
        // A side narrower than the window: ceil mode still gives one output over what there is
        // (torch: avg_pool2d([0, 1, 2], 2, 2, ceil_mode=True) = [0.5, 2]).
        expectValues(Tensor(shape: [1, 1, 1, 3], [0, 1, 2]).avgPool2d(kernel: 2, stride: 2, ceilMode: true, countIncludePad: false),
                     [0.5, 2], shape: [1, 1, 1, 2], "1-row input, ceil mode")
        // The gradient: each output's share spread over its cells.
        let z = Tensor(shape: [1, 1, 3, 3], (1...9).map(Float.init))
        z.requiresGrad = true
        z.avgPool2d(kernel: 2, stride: 2, ceilMode: true, countIncludePad: false).sum().backward()
        expectValues(z.grad!, [0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1], "2x2/2 ceil gradient")
    }

    @Test func maxPool2dMatchesFixtures() throws {
        let file = try Fixtures.ops("max_pool2d.safetensors")
        let cases = try fixtureCases(file)
        #expect(cases.count == 4)
        for (name, p) in cases {
            let x = try file.tensor("\(name).x")
            x.requiresGrad = true
            let (out, indices) = x.maxPool2dWithIndices(
                kernel: p["kernel"] as! Int, stride: p["stride"] as! Int, padding: p["padding"] as! Int)
            out.backward(try file.tensor("\(name).grad_out"))
            // A copy of input elements: bitwise equal.
            expectClose(out, try file.tensor("\(name).out"), rtol: 0, atol: 0, "\(name) out")
            #expect(indices == (try file.indices("\(name).indices")), "\(name) indices")
            expectClose(try #require(x.grad), try file.tensor("\(name).grad_x"), "\(name) grad_x")
        }
    }

    @Test func interpolateNearestMatchesFixtures() throws {
        let file = try Fixtures.ops("interpolate_nearest.safetensors")
        let cases = try fixtureCases(file)
        #expect(cases.count == 3)
        for (name, p) in cases {
            let size = p["size"] as! [Int]
            let x = try file.tensor("\(name).x")
            x.requiresGrad = true
            let out = x.interpolateNearest(size: (size[0], size[1]))
            out.backward(try file.tensor("\(name).grad_out"))
            expectClose(out, try file.tensor("\(name).out"), rtol: 0, atol: 0, "\(name) out")
            expectClose(try #require(x.grad), try file.tensor("\(name).grad_x"), "\(name) grad_x")
            let srcY = NearestInterpolation.sourceIndices(input: x.shape[2], output: size[0])
            let srcX = NearestInterpolation.sourceIndices(input: x.shape[3], output: size[1])
            #expect(srcY == (try file.indices("\(name).src_y")).values, "\(name) src_y")
            #expect(srcX == (try file.indices("\(name).src_x")).values, "\(name) src_x")
        }
    }

    @Test func maxPool2dByHand() throws {
        let x = Tensor(shape: [1, 1, 4, 4], [
            1, 5, 2, 0,
            3, 4, 8, 7,
            0, 0, 1, 1,
            9, 2, 1, 1,
        ], requiresGrad: true)
        let (out, indices) = x.maxPool2dWithIndices(kernel: 2, stride: 2)
        expectValues(out, [5, 8, 9, 1], shape: [1, 1, 2, 2], "2x2 s2")
        // The bottom-right window is all ones: the first one (row-major) wins.
        #expect(indices.values == [1, 6, 12, 10])
        out.backward(Tensor.ones([1, 1, 2, 2]))
        var expected = [Float](repeating: 0, count: 16)
        for i in [1, 6, 12, 10] { expected[i] = 1 }
        expectValues(try #require(x.grad), expected, "grad")
        // Padding is -inf, not 0: an all-negative plane keeps its maximum -1.
        let neg = Tensor(shape: [1, 1, 2, 2], [-1, -2, -3, -4]).maxPool2dWithIndices(kernel: 3, stride: 2, padding: 1)
        expectValues(neg.output, [-1], shape: [1, 1, 1, 1], "padding")
        #expect(neg.indices.values == [0])
    }

    @Test func interpolateNearestByHand() throws {
        let x = Tensor(shape: [1, 1, 2, 2], [1, 2, 3, 4], requiresGrad: true)
        expectValues(x.interpolateNearest(size: (4, 4)), [
            1, 1, 2, 2,
            1, 1, 2, 2,
            3, 3, 4, 4,
            3, 3, 4, 4,
        ], shape: [1, 1, 4, 4], "up 2x")
        // 2 -> 3: scale 2/3 maps destinations 0, 1, 2 to sources 0, 0, 1.
        let y = x.interpolateNearest(size: (3, 3))
        expectValues(y, [1, 1, 2, 1, 1, 2, 3, 3, 4], shape: [1, 1, 3, 3], "2 -> 3")
        y.backward(Tensor.ones([1, 1, 3, 3]))
        expectValues(try #require(x.grad), [4, 2, 2, 1], "grad 2 -> 3")
    }
}
