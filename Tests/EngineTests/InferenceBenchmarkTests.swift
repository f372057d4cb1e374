import Config
import Engine
import Foundation
import Models
import Testing
import TestSupport

/// benchmark: what is timed and what is printed, on the demo config with its own initial
/// weights as the checkpoint.
@Suite struct InferenceBenchmarkTests {
    @Test func timesEachTestImageOnceAfterTheWarmUp() throws {
        let dir = try ImageInferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = TestFiles.packageRoot.appendingPathComponent("configs/demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py").path
        let data = try TestFiles.project("data/fruits_nuts") + "/"
        let config = try ConfigFile.load(path, options: ["model.backbone.init_cfg=None", "test_dataloader.dataset.data_root=\(data)"])
        let source = try ModelRegistry.detectors.build(try config.view("model"))
        try source.initWeights(seed: 1)
        try source.saveStateDict(to: dir + "/init.safetensors")
        let bench = try InferenceBenchmark(config: config, checkpoint: dir + "/init.safetensors")
        #expect(bench.dataset.count == 4 && !bench.model.training)
        var lines: [String] = []
        // Six warm-up predictions over four images (two taken again), then the four timed.
        let result = try bench.run(maxIter: 2000, logInterval: 3, numWarmup: 6) { lines.append($0) }
        #expect(result.warmup == 6 && result.timedImages == 4 && result.seconds > 0)
        #expect(abs(result.fps - 4 / result.seconds) < 1e-9)
        #expect(lines.count == 2 && lines[0].hasPrefix("Done image [3  /4], fps: ") && lines[1].hasPrefix("Done image [4  /4]"))
        let capped = try bench.run(maxIter: 2, logInterval: 50, numWarmup: 0) { _ in }
        #expect(capped.timedImages == 2 && capped.warmup == 0)

        let a = InferenceBenchmark.Result(timedImages: 10, seconds: 4, warmup: 5)
        let b = InferenceBenchmark.Result(timedImages: 10, seconds: 5, warmup: 5)
        #expect(InferenceBenchmark.overall([a]) == "Overall fps: 2.5 img/s, times per image: 400.0 ms/img")
        #expect(InferenceBenchmark.overall([a, b]) == "Overall fps: [2.5, 2.0][2.2] img/s, times per image: [400.0, 500.0][444.4] ms/img")
    }
}
