import Config
import Testing

/// Registry builds: type lookup (with `mmdet.` and `_scope_` ignored), default arguments,
/// unknown types with suggestions, unknown keys naming the key and the type.
@Suite struct RegistryTests {
    struct Backbone: Equatable {
        let kind: String
        let depth: Int
        let groups: Int
    }

    static let backbones = Registry<Backbone>("MODELS", [
        "ResNet": { args in
            try args.accept(["depth", "num_stages", "norm_cfg"])
            return Backbone(kind: "ResNet", depth: try args.int("depth"), groups: 1)
        },
        "ResNeXt": { args in
            try args.accept(["depth", "groups", "base_width"])
            return Backbone(kind: "ResNeXt", depth: try args.int("depth"), groups: try args.int("groups", default: 32))
        },
    ])

    static func view(_ dict: ConfigDict) -> ConfigView {
        ConfigView(dict: dict, path: [.key("model"), .key("backbone")], source: "configs/x.py")
    }

    @Test func buildsByTypeWithDefaultsAndScopes() throws {
        #expect(try Self.backbones.build(Self.view(["type": "ResNet", "depth": 50])) == Backbone(kind: "ResNet", depth: 50, groups: 1))
        let scoped = Self.view(["type": "mmdet.ResNeXt", "_scope_": "mmdet", "depth": 101])
        #expect(try Self.backbones.build(scoped, defaults: ["groups": 64]) == Backbone(kind: "ResNeXt", depth: 101, groups: 64))
        let given = Self.view(["type": "ResNeXt", "depth": 101, "groups": 8])
        #expect(try Self.backbones.build(given, defaults: ["groups": 64]).groups == 8)
        #expect(Self.backbones.contains("mmdet.ResNet") && !Self.backbones.contains("VGG"))
    }

    @Test func unknownTypeSuggestsTheClosestNames() {
        #expect {
            try Self.backbones.build(Self.view(["type": "ResNext", "depth": 50]))
        } throws: { error in
            let message = (error as? ConfigError)?.description ?? ""
            return message.contains("unknown MODELS type 'ResNext'") && message.contains("did you mean ResNeXt")
                && message.contains("model.backbone") && message.contains("configs/x.py")
        }
    }

    @Test func unknownKeyNamesTheKeyAndTheType() {
        #expect {
            try Self.backbones.build(Self.view(["type": "ResNet", "depht": 50]))
        } throws: { error in
            let message = (error as? ConfigError)?.description ?? ""
            return message.contains("unknown key 'depht' for ResNet") && message.contains("did you mean 'depth'")
        }
    }

    @Test func registrationWithAcceptedKeys() throws {
        var registry = Registry<Int>("TASK_UTILS")
        registry.register("Anchor", accepts: ["scales"]) { args in try args.ints("scales").count }
        #expect(try registry.build(.dict(["type": "Anchor", "scales": [8, 16]]), source: "c.py") == 2)
        #expect(throws: ConfigError.self) { try registry.build(.dict(["type": "Anchor", "ratios": [1]]), source: "c.py") }
        #expect(throws: ConfigError.self) { try registry.build(.dict(["scales": [1]]), source: "c.py") }
        #expect(throws: ConfigError.self) { try registry.build(.int(3), source: "c.py") }
    }
}
