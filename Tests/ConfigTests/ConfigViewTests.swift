import Config
import Testing

/// Typed accessors: values, defaults, optional values, and errors with the whole key path.
@Suite struct ConfigViewTests {
    static let root = ConfigView(dict: [
        "model": ["roi_head": ["bbox_head": ["num_classes": "80", "in_channels": 256, "ratio": 0.5,
                                             "scales": [8, 16], "means": .tuple([0.0, 1]), "init_cfg": nil]]],
        "train_pipeline": [["type": "LoadImageFromFile"], ["type": "Resize", "scale": .tuple([1333, 800])]],
    ], source: "configs/x.py")

    @Test func readsTypedValues() throws {
        let head = try Self.root.view("model").view("roi_head").view("bbox_head")
        #expect(try head.int("in_channels") == 256)
        #expect(try head.double("ratio") == 0.5 && head.double("in_channels") == 256)
        #expect(try head.ints("scales") == [8, 16] && head.doubles("means") == [0, 1])
        #expect(try head.int("missing", default: 7) == 7)
        #expect(try head.optionalView("init_cfg") == nil && head.optionalInt("absent") == nil)
        let steps = try Self.root.views("train_pipeline")
        #expect(try steps[1].string("type") == "Resize" && steps[1].ints("scale") == [1333, 800])
        #expect(steps[1].keyPath == "train_pipeline[1]")
    }

    @Test func errorsGiveTheWholeKeyPath() {
        let head = try? Self.root.view("model").view("roi_head").view("bbox_head")
        #expect {
            try head?.int("num_classes")
        } throws: { error in
            (error as? ConfigError)?.message
                == "model.roi_head.bbox_head.num_classes: expected int, got string \"80\" (configs/x.py)"
        }
        #expect {
            try head?.int("ratio")
        } throws: { error in
            (error as? ConfigError)?.message == "model.roi_head.bbox_head.ratio: expected int, got float 0.5 (configs/x.py)"
        }
        #expect {
            try Self.root.views("train_pipeline")[0].ints("scale")
        } throws: { error in
            (error as? ConfigError)?.message == "train_pipeline[0].scale: missing required key (configs/x.py)"
        }
    }
}
