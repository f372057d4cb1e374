import Datasets
import Engine
import Foundation
import Testing

/// scalars.json reading (mmengine's JSON lines) and curve plots checked at known pixels.
@Suite struct VisualizationPlotTests {
    static let log = """
        {"lr": 0.02, "loss": 1.5, "loss_cls": 0.7, "epoch": 1, "iter": 50, "step": 50, "flag": true}
        {"lr": 0.02, "loss": 1.25, "loss_cls": 0.6, "epoch": 1, "iter": 100, "step": 100}

        {"coco/bbox_mAP": 0.125, "coco/bbox_mAP_50": 0.25, "mode": "val", "step": 1}
        {"lr": 0.02, "loss": NaN, "epoch": 2, "iter": 150, "step": 150, "note": "NaN inside a string"}
        {"coco/bbox_mAP": 0.2, "step": 2}
        """

    @Test func readsTrainingAndValidationLines() throws {
        let log = try ScalarLog(text: Self.log, path: "run/scalars.json")
        #expect(log.records.map(\.line) == [1, 2, 4, 5, 6])
        #expect(log.keys == ["coco/bbox_mAP", "coco/bbox_mAP_50", "epoch", "iter", "loss", "loss_cls", "lr", "step"])
        #expect(log.series("loss").map(\.step) == [50, 100])     // the NaN line is left out
        #expect(log.series("loss").map(\.value) == [1.5, 1.25])
        #expect(log.series("coco/bbox_mAP").map { [$0.step, $0.value] } == [[1, 0.125], [2, 0.2]])
        #expect(log.records[3].values["loss"]!.isNaN)
        #expect(log.stepUnit(for: "loss") == "iter" && log.stepUnit(for: "coco/bbox_mAP") == "epoch")
        #expect(log.stepUnit(for: "step") == nil && log.stepUnit(for: "absent") == nil)
    }

    @Test func malformedLinesNameFileAndLine() throws {
        let cases = [
            ("{\"loss\": 1, \"step\": 1}\n{\"loss\": 2, \"step\"\n", 2),
            ("{\"loss\": 1, \"step\": 1}\n\n[1, 2]\n", 3),
            ("{\"loss\": 1}\n", 1),
        ]
        for (text, line) in cases {
            do {
                _ = try ScalarLog(text: text, path: "bad.json")
                Issue.record("expected an error for line \(line)")
            } catch let VisualizationError.malformedLine(path, number, _) {
                #expect(path == "bad.json" && number == line)
            }
        }
        let dir = try VisualizationEncodingTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("{\"step\": 1, \"loss\": 2}\nnot json\n".utf8).write(to: URL(fileURLWithPath: dir + "/s.json"))
        #expect(throws: VisualizationError.self) { try ScalarLog(contentsOf: dir + "/s.json") }
        do { _ = try ScalarLog(contentsOf: dir + "/s.json") } catch {
            #expect("\(error)".hasPrefix(dir + "/s.json:2: not a JSON object"))
        }
        #expect(throws: VisualizationError.self) { try ScalarLog(contentsOf: dir + "/missing.json") }
    }

    @Test func axesSnapToOneTwoFiveSteps() {
        let a = Axis(lo: 0, hi: 100)
        #expect(a.lo == 0 && a.hi == 100 && a.step == 20 && a.ticks == [0, 20, 40, 60, 80, 100])
        let b = Axis(lo: 0.0031, hi: 0.0249)
        #expect(b.step == 0.005 && b.lo == 0 && abs(b.hi - 0.025) < 1e-12)
        #expect(b.label(0.015) == "0.015" && b.label(0) == "0")
        let c = Axis(lo: 5, hi: 5)
        #expect(c.lo < 5 && c.hi > 5)
        #expect(Axis(lo: 0, hi: 12000).label(4000) == "4000")
    }

    @Test func polylinePassesThroughTheMappedPoints() throws {
        let up = CurvePlot.Series(name: "up", points: [(0, 0), (50, 5), (100, 10)])
        let flat = CurvePlot.Series(name: "flat", points: [(0, 2), (100, 2)])
        let plot = CurvePlot(series: [up, flat], width: 400, height: 300, title: "T")
        let l = try plot.layout()
        #expect(l.x.lo == 0 && l.x.hi == 100 && l.y.lo == 0 && l.y.hi == 10)
        let image = Canvas(image: try plot.render())
        #expect(image.width == 400 && image.height == 300)
        let upColor = plot.color(ofSeries: 0), flatColor = plot.color(ofSeries: 1)
        #expect(upColor != flatColor)
        func px(_ x: Double, _ y: Double) -> RGBColor {
            let p = l.point(x: x, y: y)
            return image.pixel(x: Int(p.x.rounded()), y: Int(p.y.rounded()))
        }
        // (x, y) -> (left + x / 100 * (right - left), bottom - y / 10 * (bottom - top))
        #expect(l.point(x: 50, y: 5).x == Double(l.left) + 0.5 * Double(l.right - l.left))
        #expect(l.point(x: 100, y: 10).y == Double(l.top))
        for (x, y) in [(25.0, 2.5), (50, 5), (62.5, 6.25), (90, 9)] {
            #expect(px(x, y) == upColor, "up at (\(x), \(y))")
        }
        for x in [10.0, 33, 70, 95] { #expect(px(x, 2) == flatColor, "flat at x \(x)") }
        #expect(px(50, 8) != upColor && px(20, 6) != flatColor)
        // The frame lies on the plot rectangle's edges.
        #expect(image.pixel(x: l.left, y: (l.top + l.bottom) / 2) == .black)
        #expect(image.pixel(x: (l.left + l.right) / 2, y: l.bottom) == .black)
    }

    @Test func plotFromLogsNamesSeriesAndReportsUnknownKeys() throws {
        let one = try ScalarLog(text: Self.log, path: "work/run1/vis_data/scalars.json")
        let two = try ScalarLog(text: Self.log, path: "work/run2/vis_data/scalars.json")
        let plot = try CurvePlot.fromLogs([one, two], keys: ["loss"])
        #expect(plot.series.map(\.name) == ["run1_loss", "run2_loss"])
        #expect(plot.xLabel == "iter")
        #expect(try CurvePlot.fromLogs([one], keys: ["coco/bbox_mAP"]).xLabel == "epoch")
        #expect(try CurvePlot.fromLogs([one], keys: ["loss", "coco/bbox_mAP"]).xLabel == "step")
        #expect(try CurvePlot.fromLogs([one], keys: ["loss"], legend: ["L"]).series.map(\.name) == ["L"])
        // An impossible image size is an error, not a 30 GB allocation.
        for (w, h) in [(100_000, 100_000), (0, 500), (800, -1)] {
            #expect { try CurvePlot.fromLogs([one], keys: ["loss"], width: w, height: h) } throws: {
                $0 is VisualizationError && "\($0)".contains("\(w)x\(h)") && "\($0)".contains("64 to 16384")
            }
        }
        do {
            _ = try CurvePlot.fromLogs([one], keys: ["bbox_mAP_100"])
            Issue.record("an unknown key should fail")
        } catch let error as VisualizationError {
            #expect(error.description.contains("'bbox_mAP_100'") && error.description.contains("coco/bbox_mAP, coco/bbox_mAP_50"))
        }
        let dir = try VisualizationEncodingTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ImageWriter.write(try plot.render(), to: dir + "/curve.png")
        #expect(FileManager.default.fileExists(atPath: dir + "/curve.png"))
    }
}
