import Autograd
import Foundation
import Kernels
import Testing

/// maxPool2d and interpolateNearest against PyTorch fixtures and hand-computed values.
@Suite struct PoolingTests {
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
