import Config
import Engine
import Foundation
import Testing
import TestSupport

/// Every `type` outside `model` in the demo config (dataloaders, datasets, pipelines, samplers,
/// evaluators, loops, optimizer, schedulers, hooks, visualizer, log processor), replaced by an
/// unknown name one at a time: training (or, for the test sections, testing) stops with an
/// error naming that key path before any iteration. The top-level `train_pipeline`,
/// `test_pipeline`, `conv_cfg` and `norm_cfg` are plain variables the config reuses (mmengine
/// builds nothing from them), so they are not mutated.
@Suite struct RuntimeTypeTests {
    static let variables: Set<String> = ["train_pipeline", "test_pipeline", "conv_cfg", "norm_cfg", "model"]

    @Test func everyUnknownRuntimeTypeIsAnErrorNamingItsPath() throws {
        let base = try RunnerTests.tinyConfig(["train_cfg.max_epochs=1"])
        var dict = base.dict
        dict["val_cfg"] = .dict(["type": "ValLoop"])  // tinyConfig turns validation off
        let paths = ConfigMutation.typePaths(.dict(dict)).filter { !Self.variables.contains($0.first ?? "") }
        #expect(paths.count >= 30, "only \(paths.count) typed dicts outside model")
        let dir = try RunnerTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let weights = dir + "/weights.safetensors"
        try RunnerTests.runner(ConfigView(dict: dict, source: base.source), workDir: dir).model.saveStateDict(to: weights)
        for p in paths {
            guard case .dict(let mutated) = ConfigMutation.setting("type", to: .string("NoSuchType"), in: .dict(dict), at: p[...]) else {
                Issue.record("mutation of \(p) is not a dict")
                continue
            }
            let where_ = ConfigMutation.render(p)
            let view = ConfigView(dict: mutated, source: base.source)
            var iterations = 0
            do {
                let runner = try RunnerTests.runner(view, workDir: dir + "/\(UUID().uuidString)")
                if p.first?.hasPrefix("test_") == true {
                    try runner.test(checkpoint: weights)
                } else {
                    try runner.train(onIteration: { _ in iterations += 1 })
                }
                Issue.record("\(where_).type=NoSuchType: the run went through")
            } catch {
                #expect("\(error)".contains(where_) && iterations == 0, "\(where_): \(error) after \(iterations) iterations")
            }
        }
    }
}
