import Engine
import Foundation
import Testing

/// analyze-logs cal_train_time and plot_curve's key names, on logs written here.
@Suite struct LogAnalysisTests {
    static let log = """
        {"lr": 0.01, "time": 9.0, "loss": 1.0, "epoch": 1, "iter": 1, "step": 1}
        {"lr": 0.01, "time": 1.0, "loss": 1.0, "epoch": 1, "iter": 2, "step": 2}
        {"lr": 0.01, "time": 2.0, "loss": 1.0, "epoch": 1, "iter": 3, "step": 3}
        {"lr": 0.01, "time": 3.0, "loss": 1.0, "epoch": 1, "iter": 4, "step": 4}
        {"coco/bbox_mAP": 0.1, "coco/segm_mAP": 0.2, "time": 0.5, "step": 1}
        {"lr": 0.01, "time": 8.0, "loss": 1.0, "epoch": 2, "iter": 5, "step": 5}
        {"lr": 0.01, "time": 2.0, "loss": 1.0, "epoch": 2, "iter": 6, "step": 6}
        {"lr": 0.01, "time": 2.0, "loss": 1.0, "epoch": 2, "iter": 7, "step": 7}
        {"coco/bbox_mAP": 0.3, "coco/segm_mAP": 0.4, "time": 0.5, "step": 2}
        {"lr": 0.01, "time": 5.0, "loss": 1.0, "epoch": 3, "iter": 8, "step": 8}
        """

    /// Worked by hand: epoch means 2 (9 left out), 2 (8 left out) and 5 (its only line, kept);
    /// slowest 3, fastest 1 (the first of two equal), mean 3, population std sqrt(2).
    @Test func trainTimeByHand() throws {
        let log = try ScalarLog(text: Self.log, path: "scalars.json")
        let t = try log.trainTime()
        #expect(t.epochs.map(\.epoch) == [1, 2, 3] && t.epochs.map(\.seconds) == [2, 2, 5])
        #expect(t.slowest == (3, 5) && t.fastest == (1, 2) && t.average == 3 && abs(t.standardDeviation - 2.0.squareRoot()) < 1e-15)
        #expect(t.singleLine == [3])
        #expect(t.lines.suffix(4) == ["slowest epoch 3, average time is 5.0000 s/iter", "fastest epoch 1, average time is 2.0000 s/iter",
                                      "time std over epochs is 1.4142", "average iter time: 3.0000 s/iter"])
        let all = try log.trainTime(includeOutliers: true)
        #expect(all.epochs.map(\.seconds) == [3.75, 4, 5] && all.singleLine.isEmpty)
        #expect(throws: VisualizationError.self) { try ScalarLog(text: "{\"coco/bbox_mAP\": 0.1, \"step\": 1}", path: "v.json").trainTime() }
        for epoch in ["NaN", "Infinity", "1e300", "1.5"] {
            let text = "{\"step\": 1, \"epoch\": \(epoch), \"iter\": 10, \"time\": 0.5}"
            #expect { try ScalarLog(text: text, path: "e.json").trainTime() } throws: {
                "\($0)".contains("e.json") && "\($0)".contains("line 1") && "\($0)".contains("whole number")
            }
        }
    }

    /// mmdetection's plot_curve default key bbox_mAP names SwiftDet's coco/bbox_mAP; a name two
    /// keys end with is not guessed.
    @Test func keysResolveByTheirLastPart() throws {
        let log = try ScalarLog(text: Self.log, path: "scalars.json")
        #expect(log.resolve("bbox_mAP") == "coco/bbox_mAP" && log.resolve("loss") == "loss" && log.resolve("mAP") == nil)
        let plot = try CurvePlot.fromLogs([log], keys: ["bbox_mAP"])
        #expect(plot.series.map(\.name) == ["coco/bbox_mAP"] && plot.series[0].points.map(\.y) == [0.1, 0.3])
        let twice = try ScalarLog(text: "{\"a/x\": 1, \"b/x\": 2, \"step\": 1}", path: "t.json")
        #expect(twice.resolve("x") == nil)
    }
}
