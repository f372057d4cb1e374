import Config
import Datasets
import Foundation
import Models
import Testing
import TestSupport

/// Every `type` under `model` in the project's configs and in mmdetection's merged configs that
/// the tests carry (`mmdet/tiny-*.json`, `merged_config`), replaced by an unknown name one at a
/// time, and an unknown key added to every typed dict: building the detector must fail with
/// an error that names that key path (no typed sub-config or key is silently ignored).
@Suite struct TypeMutationTests {
    /// The project's configs (not the `_base_` fragments).
    static let configs: [String] = {
        let root = TestFiles.packageRoot.appendingPathComponent("configs").path
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".py") && !$0.hasPrefix("_base_") }.sorted().map { "configs/" + $0 }
            + TinyCase.names.map { "mmdet/\($0).json" }
    }()

    /// A project config through the loader, or a fixture's mmengine-merged config.
    static func load(_ relative: String) throws -> (ConfigView, String) {
        guard relative.hasPrefix("mmdet/") else {
            let path = try TestFiles.project(relative)
            return (try ConfigLoader().load(file: path), path)
        }
        let path = try TestFiles.fixture(relative)
        let sidecar = try ConfigDict(jsonText: String(contentsOfFile: path, encoding: .utf8), name: path)
        let merged = try #require(sidecar["merged_config"]?.dictValue)
        return (ConfigView(dict: merged, source: path), path)
    }

    /// Builds the detector of `relative` with `key` = `newValue` in each typed dict under
    /// `model` in turn; each build must fail with an error naming that dict's key path and
    /// containing `mustSay`.
    static func expectEachMutationFails(_ relative: String, key: String, newValue: ConfigValue, mustSay: String) throws {
        let (view, path) = try load(relative)
        let model = try #require(view.dict["model"])
        let paths = ConfigMutation.typePaths(model, ["model"])
        #expect(paths.count >= 10, "\(relative): only \(paths.count) typed dicts under model")
        for p in paths {
            var dict = view.dict
            dict["model"] = ConfigMutation.setting(key, to: newValue, in: model, at: p.dropFirst()[...])
            let where_ = ConfigMutation.render(p)
            do {
                // What the runner builds from `model`: the detector and its data preprocessor.
                let modelView = try ConfigView(dict: dict, source: path).view("model")
                _ = try ModelRegistry.detectors.build(modelView)
                if let pre = try modelView.optionalView("data_preprocessor") { _ = try DetDataPreprocessor(config: pre) }
                Issue.record("\(relative): \(where_).\(key)=\(newValue) built a detector")
            } catch {
                let text = "\(error)"
                #expect(text.contains(where_) && text.contains(mustSay), "\(relative) \(where_).\(key): \(text)")
            }
        }
    }

    @Test(arguments: configs)
    func everyUnknownModelTypeIsAnErrorNamingItsPath(_ relative: String) throws {
        try Self.expectEachMutationFails(relative, key: "type", newValue: .string("NoSuchType"), mustSay: "type")
    }

    /// Keys that would change the model but are not implemented: errors naming the key,
    /// never accepted and ignored.
    @Test(arguments: [
        ("model.roi_head.bbox_head.with_cls=False", "model.roi_head.bbox_head.with_cls"),
        ("model.roi_head.bbox_head.with_reg=False", "model.roi_head.bbox_head.with_reg"),
        ("model.roi_head.bbox_head.reg_predictor_cfg.type=NormedLinear", "model.roi_head.bbox_head.reg_predictor_cfg.type"),
        ("model.roi_head.bbox_head.cls_predictor_cfg.type=NormedLinear", "model.roi_head.bbox_head.cls_predictor_cfg.type"),
        ("model.roi_head.bbox_head.predict_box_type=rbox", "model.roi_head.bbox_head.predict_box_type"),
        ("model.roi_head.bbox_head.init_cfg.type=Normal", "model.roi_head.bbox_head.init_cfg"),
        ("model.roi_head.mask_head.init_cfg.type=Normal", "model.roi_head.mask_head.init_cfg"),
        ("model.roi_head.mask_head.predictor_cfg.type=Linear", "model.roi_head.mask_head.predictor_cfg.type"),
        ("model.roi_head.mask_head.class_agnostic=True", "model.roi_head.mask_head.class_agnostic"),
        ("model.rpn_head.init_cfg.type=Normal", "model.rpn_head.init_cfg"),
        ("model.neck.init_cfg.type=Xavier", "model.neck.init_cfg"),
        ("model.roi_head.init_cfg.type=Normal", "model.roi_head.init_cfg"),
        ("model.init_cfg.type=Normal", "model.init_cfg"),
    ])
    func unsupportedModelChangesAreErrors(_ option: String, _ key: String) throws {
        try Self.expectDemoModelFails(option, saying: [key])
    }

    /// The demo config's detector with `option` must fail with an error containing `parts`.
    static func expectDemoModelFails(_ option: String, saying parts: [String]) throws {
        let path = try TestFiles.project("configs/demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py")
        do {
            _ = try ModelRegistry.detectors.build(try ConfigLoader().load(file: path, options: [option]).view("model"))
            Issue.record("\(option) built a detector")
        } catch {
            #expect(parts.allSatisfy { "\(error)".contains($0) }, "\(option): \(error)")
        }
    }

    /// A misspelt type anywhere under `model` (losses, layers, norms and convs included) is
    /// built through a registry, whose error suggests the registered name.
    @Test(arguments: [
        ("model.roi_head.bbox_head.loss_bbox.type=SmoothL1Los", "SmoothL1Loss"),
        ("model.roi_head.bbox_head.loss_cls.type=CrossEntropyLos", "CrossEntropyLoss"),
        ("model.roi_head.bbox_roi_extractor.roi_layer.type=RoIAlig", "RoIAlign"),
        ("model.roi_head.mask_head.upsample_cfg.type=deconvv", "deconv"),
        ("model.backbone.conv_cfg.type=ConvW", "ConvWS"),
        ("model.neck.norm_cfg.type=GNN", "GN"),
        ("model.train_cfg.rcnn.sampler.type=RandomSampeler", "RandomSampler"),
    ])
    func misspeltTypesSuggestTheRegisteredName(_ option: String, _ suggestion: String) throws {
        let dictPath = String(option.prefix { $0 != "=" }.dropLast(".type".count))
        try Self.expectDemoModelFails(option, saying: [dictPath, "did you mean", suggestion])
    }

    /// The same keys with mmdetection's default values build.
    @Test func defaultValuesOfThoseKeysBuild() throws {
        let path = try TestFiles.project("configs/demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py")
        let options = ["model.roi_head.bbox_head.with_cls=True", "model.roi_head.bbox_head.with_reg=True",
                       "model.roi_head.bbox_head.reg_predictor_cfg.type=Linear", "model.roi_head.bbox_head.cls_predictor_cfg.type=Linear",
                       "model.roi_head.mask_head.predictor_cfg.type=Conv", "model.roi_head.bbox_head.predict_box_type=hbox",
                       "model.roi_head.bbox_head.init_cfg=None"]
        _ = try ModelRegistry.detectors.build(try ConfigLoader().load(file: path, options: options).view("model"))
    }

    @Test(arguments: configs)
    func everyUnknownKeyInATypedDictIsAnErrorNamingIt(_ relative: String) throws {
        try Self.expectEachMutationFails(relative, key: "no_such_key", newValue: .int(1), mustSay: "no_such_key")
    }
}
