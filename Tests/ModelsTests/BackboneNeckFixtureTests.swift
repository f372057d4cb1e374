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

/// RPN head raw outputs (objectness logits and deltas per level) on the FPN features.
@Suite struct RPNHeadFixtureTests {
    @Test(arguments: TinyCase.names)
    func rpnOutputsMatchMmdetection(name: String) throws {
        let tiny = try TinyCase(name)
        let model = try tiny.modelConfig()
        let backbone = try ModelRegistry.backbones.build(try model.view("backbone"))
        let neck = try ModelRegistry.necks.build(try model.view("neck"))
        let head = try RPNHead(config: try model.view("rpn_head"))
        try #require(try backbone.loadStateDict(from: tiny.tensors, prefix: "state_dict.backbone.").isClean)
        try #require(try neck.loadStateDict(from: tiny.tensors, prefix: "state_dict.neck.").isClean)
        try #require(try head.loadStateDict(from: tiny.tensors, prefix: "state_dict.rpn_head.").isClean)
        backbone.eval(); neck.eval(); head.eval()
        let (scores, deltas) = withNoGrad { head(neck(backbone(try! tiny.input()))) }
        for l in scores.indices {
            try tiny.expectMap(scores[l], "rpn.cls_score.l\(l)")
            try tiny.expectMap(deltas[l], "rpn.bbox_pred.l\(l)")
        }
    }
}
