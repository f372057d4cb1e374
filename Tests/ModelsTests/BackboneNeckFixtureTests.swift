import Autograd
import Config
import Models
import NN
import Testing

/// Backbone and FPN outputs of mmdetection's tiny models on the same weights and input.
@Suite struct BackboneNeckFixtureTests {
    @Test(arguments: TinyCase.names)
    func featuresMatchMmdetection(name: String) throws {
        let tiny = try TinyCase(name)
        let model = try tiny.modelConfig()
        let backbone = try ModelRegistry.backbones.build(try model.view("backbone"))
        let neck = try ModelRegistry.necks.build(try model.view("neck"))
        try #require(try backbone.loadStateDict(from: tiny.tensors, prefix: "state_dict.backbone.").isClean)
        try #require(try neck.loadStateDict(from: tiny.tensors, prefix: "state_dict.neck.").isClean)
        backbone.eval()
        neck.eval()
        let (c, p) = withNoGrad { () -> ([Tensor], [Tensor]) in
            let c = backbone(try! tiny.input())
            return (c, neck(c))
        }
        for (i, map) in c.enumerated() { try tiny.expectMap(map, "backbone.c\(i + 2)") }
        for (i, map) in p.enumerated() { try tiny.expectMap(map, "neck.p\(i + 2)") }
    }
}
