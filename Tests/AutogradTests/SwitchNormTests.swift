import Autograd
import Foundation
import Testing

/// switchNorm against hand-computed values and every case of switchnorm.safetensors (SN.md).
@Suite struct SwitchNormTests {
    /// x (2, 2, 1, 2) = [[1, 3], [0, 4]], [[2, 2], [-1, 5]]; logits mean (1, 0, -1), var
    /// (0, 0.5, 0); gamma (1, 2), beta (0, 0.5); running mean (0, 1), running var (1, 0).
    /// Expected values from the SN.md formula evaluated by hand in Double.
    static func tiny(usingMovingAverage: Bool = true, training: Bool) -> (y: Tensor, rm: Tensor, rv: Tensor) {
        let x = Tensor(shape: [2, 2, 1, 2], [1, 3, 0, 4, 2, 2, -1, 5])
        let rm = Tensor(shape: [2], [0, 1]), rv = Tensor(shape: [2], [1, 0])
        let y = x.switchNorm(
            weight: Tensor(shape: [2], [1, 2]), bias: Tensor(shape: [2], [0, 0.5]),
            meanWeight: Tensor(shape: [3], [1, 0, -1]), varWeight: Tensor(shape: [3], [0, 0.5, 0]),
            runningMean: rm, runningVar: rv, training: training, usingMovingAverage: usingMovingAverage)
        return (y, rm, rv)
    }

    @Test func trainingByHand() {
        let (y, rm, rv) = Self.tiny(training: true)
        expectValues(
            y, [-0.56966144, 0.56966144, -0.91291033, 1.91291033, 0, 0, -1.19280239, 2.19280239],
            "switchNorm train out")
        // mean_bn = (2, 2), var_bn = (1, 13): r <- 0.9 r + 0.1 batch
        expectValues(rm, [0.2, 1.1], "moving-average running mean")
        expectValues(rv, [1.0, 1.3], "moving-average running var")
    }

    @Test func runningSumsByHand() {
        let (_, rm, rv) = Self.tiny(usingMovingAverage: false, training: true)
        expectValues(rm, [2, 3], "running sum of means")
        expectValues(rv, [6, 17], "running sum of mean^2 + var")
    }

    @Test func evalByHand() {
        let (y, rm, rv) = Self.tiny(training: false)
        expectValues(
            y, [-0.46708755, 0.67223533, -1.31044376, 2.48112219, 0.08642372, 0.08642372, -1.43997854, 2.56001924],
            "switchNorm eval out")
        expectValues(rm, [0, 1], "eval leaves running mean")
        expectValues(rv, [1, 0], "eval leaves running var")
    }

    struct Case: Sendable {
        var training: Bool
        var usingMovingAverage: Bool
        var usingBN: Bool
        var momentum: Float
    }

    /// The case parameters from the file's metadata (`cases`, JSON).
    static func cases(_ f: SafetensorsFile) throws -> [String: Case] {
        let json = try #require(f.metadata["cases"]?.data(using: .utf8))
        let table = try #require(try JSONSerialization.jsonObject(with: json) as? [String: [String: Any]])
        return try table.mapValues { p in
            Case(
                training: try #require(p["training"] as? Bool),
                usingMovingAverage: try #require(p["using_moving_average"] as? Bool),
                usingBN: try #require(p["using_bn"] as? Bool),
                momentum: Float(try #require(p["momentum"] as? Double)))
        }
    }

    static let caseNames = [
        "train_ma_bn", "train_noma_bn", "train_ma_nobn", "train_noma_nobn", "train_ma_bn_m0.997",
        "train_ma_bn_n1", "train_ma_bn_default_init", "eval_bn", "eval_nobn",
    ]

    @Test func fixtureListsEveryCase() throws {
        let f = try Fixtures.ops("switchnorm.safetensors")
        #expect(try Self.cases(f).keys.sorted() == Self.caseNames.sorted())
    }

    @Test(arguments: caseNames)
    func fixture(name: String) throws {
        let f = try Fixtures.ops("switchnorm.safetensors")
        let p = try #require(try Self.cases(f)[name])
        func t(_ key: String) throws -> Tensor { try f.tensor("\(name).\(key)") }
        let x = try t("x"), w = try t("weight"), b = try t("bias")
        let mw = try t("mean_weight"), vw = try t("var_weight")
        for q in [x, w, b, mw, vw] { q.requiresGrad = true }
        let rm = p.usingBN ? try t("running_mean_before") : nil
        let rv = p.usingBN ? try t("running_var_before") : nil
        let y = x.switchNorm(
            weight: w, bias: b, meanWeight: mw, varWeight: vw, runningMean: rm, runningVar: rv,
            training: p.training, usingMovingAverage: p.usingMovingAverage, momentum: p.momentum)
        y.backward(try t("grad_out"))
        expectClose(y, try t("out"), "switchnorm/\(name) out")
        expectClose(x.grad!, try t("grad_x"), "switchnorm/\(name) grad_x")
        expectClose(w.grad!, try t("grad_weight"), "switchnorm/\(name) grad_weight")
        expectClose(b.grad!, try t("grad_bias"), "switchnorm/\(name) grad_bias")
        expectClose(mw.grad!, try t("grad_mean_weight"), "switchnorm/\(name) grad_mean_weight")
        expectClose(vw.grad!, try t("grad_var_weight"), "switchnorm/\(name) grad_var_weight")
        if let rm, let rv {
            expectClose(rm, try t("running_mean_after"), "switchnorm/\(name) running_mean")
            expectClose(rv, try t("running_var_after"), "switchnorm/\(name) running_var")
        }
    }
}
