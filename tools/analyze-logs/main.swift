import ArgumentParser
import Engine
import Foundation

/// `analyze-logs plot_curve LOG [LOG ...] --keys K [K ...] --out FILE.png|jpg [--title T]`:
/// curves of the given keys from mmengine `scalars.json` logs, as mmdetection's
/// `tools/analysis_tools/analyze_logs.py plot_curve` draws them; `analyze-logs cal_train_time
/// LOG [LOG ...] [--include-outliers]`: the training time per epoch, as its `cal_train_time`.
struct AnalyzeLogs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze-logs", abstract: "Analyse mmengine JSON-lines logs (scalars.json).",
        subcommands: [PlotCurve.self, CalTrainTime.self])
}

/// Plots one curve per (log, key) into a PNG or JPEG.
struct PlotCurve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot_curve", abstract: "Plot loss / metric curves of one or more scalars.json files.")

    @Argument(help: "scalars.json files (JSON lines, as mmengine's LocalVisBackend writes them).")
    var logs: [String]

    @Option(parsing: .upToNextOption, help: "Keys to plot, e.g. loss loss_cls coco/bbox_mAP (bbox_mAP names coco/bbox_mAP).")
    var keys: [String] = ["bbox_mAP"]

    @Option(help: "Output image; the extension picks the format (.png, .jpg, .jpeg).")
    var out: String

    @Option(help: "Title above the plot.")
    var title: String?

    @Option(parsing: .upToNextOption, help: "Legend names, one per log and key (log-major order).")
    var legend: [String] = []

    @Option(help: "Image width in pixels.")
    var width = 800

    @Option(help: "Image height in pixels.")
    var height = 500

    func run() throws {
        do {
            _ = try ImageWriter.format(for: out)  // a bad extension fails before any reading
            let parsed = try logs.map { try ScalarLog(contentsOf: $0) }
            let plot = try CurvePlot.fromLogs(parsed, keys: keys, legend: legend.isEmpty ? nil : legend,
                                              title: title, width: width, height: height)
            try ImageWriter.write(try plot.render(), to: out)
            print("analyze-logs: wrote \(out) (\(plot.series.map(\.name).joined(separator: ", ")))")
        } catch let error as VisualizationError {
            FileHandle.standardError.write(Data("analyze-logs: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// Prints each log's mean iteration time per epoch, its slowest and fastest epoch, their
/// standard deviation and the mean.
struct CalTrainTime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cal_train_time", abstract: "Average training iteration time of one or more scalars.json files.",
        discussion: """
            Per epoch, the mean of the "time" of its training lines (mmengine's smoothed time per \
            iteration), the first line of each epoch left out as warm-up unless --include-outliers \
            (or it is the epoch's only line); \
            then the slowest and fastest epoch, the standard deviation over epochs and their mean.
            """)

    @Argument(help: "scalars.json files (JSON lines, as mmengine's LocalVisBackend writes them).")
    var logs: [String]

    @Flag(name: .customLong("include-outliers"), help: "Keep the first logged time of each epoch.")
    var includeOutliers = false

    func run() throws {
        do {
            for path in logs {
                let summary = try ScalarLog(contentsOf: path).trainTime(includeOutliers: includeOutliers)
                print("-----Analyze train time of \(path)-----")
                summary.lines.forEach { print($0) }
                print()
            }
        } catch let error as VisualizationError {
            FileHandle.standardError.write(Data("analyze-logs: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}

AnalyzeLogs.main()
