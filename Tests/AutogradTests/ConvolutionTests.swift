import Autograd
import Foundation
import Kernels
import Testing

/// Parameters of every case in a fixture file (its `cases` metadata, JSON), by case name.
func fixtureCases(_ file: SafetensorsFile) throws -> [(name: String, params: [String: Any])] {
    let json = try #require(file.metadata["cases"], "\(file.path): no `cases` metadata")
    let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
    let cases = try #require(object as? [String: [String: Any]], "\(file.path): `cases` is not an object of objects")
    return cases.keys.sorted().map { ($0, cases[$0]!) }
}

/// conv2d and convTranspose2d against PyTorch fixtures and hand-computed values.
@Suite struct ConvolutionTests {
    @Test func conv2dMatchesFixtures() throws {
        let file = try Fixtures.ops("conv2d.safetensors")
        let cases = try fixtureCases(file)
        #expect(cases.count == 8)
        for (name, p) in cases {
            let x = try file.tensor("\(name).x"), w = try file.tensor("\(name).weight")
            let b = (p["bias"] as? Bool) == true ? try file.tensor("\(name).bias") : nil
            for t in [x, w] + (b.map { [$0] } ?? []) { t.requiresGrad = true }
            let out = x.conv2d(weight: w, bias: b, stride: p["stride"] as! Int, padding: p["padding"] as! Int,
                               dilation: p["dilation"] as! Int, groups: p["groups"] as! Int)
            out.backward(try file.tensor("\(name).grad_out"))
            expectClose(out, try file.tensor("\(name).out"), "\(name) out")
            expectClose(try #require(x.grad), try file.tensor("\(name).grad_x"), "\(name) grad_x")
            // grad_weight sums N * Hout * Wout (up to ~400) products of order-one terms, with heavy
            // cancellation in some elements: recomputed in float64, the float32 reference itself is
            // up to 1.2e-6 absolute off in elements near 1e-3, beyond atol 1e-6. Hence atol 5e-6.
            expectClose(try #require(w.grad), try file.tensor("\(name).grad_weight"), atol: 5e-6, "\(name) grad_weight")
            if let b { expectClose(try #require(b.grad), try file.tensor("\(name).grad_bias"), "\(name) grad_bias") }
        }
    }

    @Test func convTranspose2dMatchesFixtures() throws {
        let file = try Fixtures.ops("conv_transpose2d.safetensors")
        let cases = try fixtureCases(file)
        #expect(cases.count == 2)
        for (name, p) in cases {
            let x = try file.tensor("\(name).x"), w = try file.tensor("\(name).weight")
            let b = (p["bias"] as? Bool) == true ? try file.tensor("\(name).bias") : nil
            for t in [x, w] + (b.map { [$0] } ?? []) { t.requiresGrad = true }
            let out = x.convTranspose2d(weight: w, bias: b, stride: p["stride"] as! Int, padding: p["padding"] as! Int)
            out.backward(try file.tensor("\(name).grad_out"))
            expectClose(out, try file.tensor("\(name).out"), "\(name) out")
            expectClose(try #require(x.grad), try file.tensor("\(name).grad_x"), "\(name) grad_x")
            expectClose(try #require(w.grad), try file.tensor("\(name).grad_weight"), "\(name) grad_weight")
            if let b { expectClose(try #require(b.grad), try file.tensor("\(name).grad_bias"), "\(name) grad_bias") }
        }
    }

    @Test func conv2dByHand() {
        let x = Tensor(shape: [1, 1, 3, 3], (1...9).map(Float.init))
        // 3x3 ones, stride 2, padding 1: each output sums the 2x2 corner block of its window.
        let ones = Tensor.ones([1, 1, 3, 3])
        expectValues(x.conv2d(weight: ones, stride: 2, padding: 1), [12, 16, 24, 28], shape: [1, 1, 2, 2], "s2p1")
        // 2x2 ones with dilation 2: the four corners 1 + 3 + 7 + 9, plus bias.
        let d = x.conv2d(weight: Tensor.ones([1, 1, 2, 2]), bias: Tensor(shape: [1], [0.5]), dilation: 2)
        expectValues(d, [20.5], shape: [1, 1, 1, 1], "dilation 2")
        // [1, 0; 0, -1]: x[i, j] - x[i + 1, j + 1] = -4 everywhere.
        let diag = x.conv2d(weight: Tensor(shape: [1, 1, 2, 2], [1, 0, 0, -1]))
        expectValues(diag, [-4, -4, -4, -4], shape: [1, 1, 2, 2], "2x2 diagonal")
        // groups 2: each output channel sees only its own input channel (1x1 direct path).
        let g = Tensor(shape: [1, 2, 1, 1], [2, 3]).conv2d(weight: Tensor(shape: [2, 1, 1, 1], [10, 100]), groups: 2)
        expectValues(g, [20, 300], shape: [1, 2, 1, 1], "groups")
    }

    @Test func conv2dGradientsByHand() throws {
        // 1x1 conv, 2 -> 1 channels on a 1x2 image: out = 2 x0 + 3 x1 per position.
        let x = Tensor(shape: [1, 2, 1, 2], [1, 2, 3, 4], requiresGrad: true)
        let w = Tensor(shape: [1, 2, 1, 1], [2, 3], requiresGrad: true)
        let b = Tensor(shape: [1], [1], requiresGrad: true)
        let out = x.conv2d(weight: w, bias: b)
        expectValues(out, [12, 17], "out")  // 2*1 + 3*3 + 1, 2*2 + 3*4 + 1
        out.backward(Tensor(shape: [1, 1, 1, 2], [1, 10]))
        expectValues(try #require(x.grad), [2, 20, 3, 30], "grad x")
        expectValues(try #require(w.grad), [21, 43], "grad w")  // 1 + 20, 3 + 40
        expectValues(try #require(b.grad), [11], "grad b")
    }

    @Test func emptyBatch() throws {
        // No RoIs: empty outputs, zero weight and bias gradients.
        let x = Tensor.zeros([0, 2, 5, 5], requiresGrad: true)
        let w = Tensor.ones([3, 2, 3, 3], requiresGrad: true), b = Tensor.ones([3], requiresGrad: true)
        let out = x.conv2d(weight: w, bias: b, padding: 1)
        #expect(out.shape == [0, 3, 5, 5])
        out.backward(Tensor.zeros([0, 3, 5, 5]))
        expectValues(try #require(w.grad), [Float](repeating: 0, count: 54), "grad w")
        expectValues(try #require(b.grad), [0, 0, 0], "grad b")
        let wt = Tensor.ones([2, 4, 2, 2], requiresGrad: true)
        let up = x.convTranspose2d(weight: wt, stride: 2)
        #expect(up.shape == [0, 4, 10, 10])
        up.backward(Tensor.zeros([0, 4, 10, 10]))
        expectValues(try #require(wt.grad), [Float](repeating: 0, count: 32), "grad wt")
    }

    @Test func convTranspose2dByHand() {
        // k2 s2: every input pixel paints its own 2x2 block scaled by the kernel.
        let x = Tensor(shape: [1, 1, 2, 2], [1, 2, 3, 4])
        let w = Tensor(shape: [1, 1, 2, 2], [1, 10, 100, 1000])
        let out = x.convTranspose2d(weight: w, bias: Tensor(shape: [1], [0.5]), stride: 2)
        expectValues(out, [
            1, 10, 2, 20,
            100, 1000, 200, 2000,
            3, 30, 4, 40,
            300, 3000, 400, 4000,
        ].map { $0 + 0.5 }, shape: [1, 1, 4, 4], "k2s2")
        // k3 s2 on a 1x2 row: the two windows overlap in the middle column.
        let row = Tensor(shape: [1, 1, 1, 2], [1, 2]).convTranspose2d(weight: Tensor(shape: [1, 1, 1, 3], [1, 10, 100]), stride: 2)
        expectValues(row, [1, 10, 102, 20, 200], shape: [1, 1, 1, 5], "overlap")
    }
}
