import Autograd
import Config
import Foundation
import Kernels
import NN
import Testing

/// A parent with children registered after its own parameter, to pin the state-dict order.
final class TwoBlocks: Module {
    var training = true
    let scale = Tensor.ones([2], requiresGrad: true)
    let first: ConvModule
    let second: ConvModule
    var modeChanges = 0

    init() throws {
        first = try ConvModule(3, 4, kernelSize: 3, padding: 1, norm: NormSpec(BatchNorm2d.Options()))
        second = try ConvModule(4, 4, kernelSize: 1, norm: NormSpec(GroupNorm.Options(groups: 2)), activate: false)
    }

    var parameters: [(String, Tensor)] { [("scale", scale)] }
    var children: [(String, any Module)] { [("layer1", first), ("layer2", second)] }
    func didChangeMode() { modeChanges += 1 }
}

func view(_ text: String) throws -> ConfigView {
    try ConfigLoader(environment: [:]).load(text: text, file: "test.py").view("cfg")
}

@Suite struct ModuleTests {
    @Test func stateDictOrderAndNamesFollowPyTorch() throws {
        let m = try TwoBlocks()
        #expect(m.stateDict().map(\.key) == [
            "scale",
            "layer1.conv.weight", "layer1.bn.weight", "layer1.bn.bias",
            "layer1.bn.running_mean", "layer1.bn.running_var", "layer1.bn.num_batches_tracked",
            "layer2.conv.weight", "layer2.gn.weight", "layer2.gn.bias",
        ])
        #expect(m.namedParameters().count == 7)
        #expect(m.namedModules().map(\.0) == ["", "layer1", "layer1.conv", "layer1.bn", "layer2", "layer2.conv", "layer2.gn"])
    }

    @Test func convModuleBiasAutoRule() throws {
        #expect(try ConvModule(3, 4, kernelSize: 3).conv.bias != nil, "no norm: bias")
        #expect(try ConvModule(3, 4, kernelSize: 3, norm: NormSpec(GroupNorm.Options(groups: 2))).conv.bias == nil, "norm: no bias")
        #expect(try ConvModule(3, 4, kernelSize: 3, bias: .on, norm: NormSpec(GroupNorm.Options(groups: 2))).conv.bias != nil)
    }

    @Test func trainEvalRecursesAndCallsTheHook() throws {
        let m = try TwoBlocks()
        m.eval()
        #expect(!m.training && !m.first.training && !(m.first.norm!.training))
        m.train()
        #expect(m.first.norm!.training && m.modeChanges == 2)
    }

    @Test func batchNormModuleUpdatesStatisticsOnlyInTraining() {
        let bn = BatchNorm2d(2)
        let x = Tensor(shape: [2, 2, 1, 1], [1, 10, 3, 20])  // channel means 2 and 15
        _ = bn(x)
        expectNear(bn.runningMean.scalars, [0.2, 1.5], "running mean after one step")
        // unbiased variance over 2 values: (1-2)^2 + (3-2)^2 = 2; (10-15)^2 + (20-15)^2 = 50
        expectNear(bn.runningVar.scalars, [0.9 + 0.2, 0.9 + 5], "running var")
        #expect(bn.numBatchesTracked.item == 1)
        bn.eval()
        let y = bn(x)
        expectNear(Array(y.scalars.prefix(1)), [(1 - 0.2) / (1.1 + 1e-5).squareRoot()], "eval uses running stats")
        #expect(bn.numBatchesTracked.item == 1)
    }
}

func expectNear(_ a: [Float], _ e: [Float], tol: Float = 1e-5, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == e.count, "\(what): \(a.count) values, expected \(e.count)", sourceLocation: sourceLocation)
    for (x, y) in zip(a, e) where Swift.abs(x - y) > tol * max(1, Swift.abs(y)) {
        Issue.record("\(what): \(a) != \(e)", sourceLocation: sourceLocation)
        return
    }
}
