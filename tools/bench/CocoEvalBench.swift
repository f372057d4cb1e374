import ArgumentParser
import Evaluation
import Foundation
import Structures

/// `bench cocoeval CASE_DIR`: our COCO evaluation on the large cases that
/// cocoeval_bench.py of the reference harness (outside the project) writes (and times pycocotools and faster-coco-eval on):
/// load ground truth and results + evaluate + accumulate + summarize, median over runs, for
/// bbox (`large`) and segm (`large_segm`). CASE_DIR is that script's OUT_DIR (with
/// cache/large and cache/large_segm) or one case folder with gt.json and dt.json.
struct CocoEvalBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cocoeval",
        abstract: "COCO evaluation time (load + evaluate + accumulate + summarize) on large cases.")

    @Argument(help: "cocoeval_bench.py's OUT_DIR (default /tmp/swiftdet-cocoeval-bench) or a folder with gt.json and dt.json.")
    var caseDir: String = "/tmp/swiftdet-cocoeval-bench"

    @Option(help: "Timed runs per case (the median is printed).")
    var repetitions: Int = 3

    @Option(help: "cocoeval_bench.py's output, to print our speed-up over pycocotools and faster-coco-eval.")
    var reference: String?

    @Option(name: .customLong("index-only"), help: "Only time reading this COCO instances file (e.g. make_big_coco.py's 450 MB file).")
    var indexOnly: String?

    func run() throws {
        print("# load average: \(loadAverage()), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        if let indexOnly { return try timeIndex(indexOnly) }
        let references = try reference.map(Self.readReference) ?? [:]
        for (iouType, folder, pyName, extra) in cases() {
            let gt = folder + "/gt.json", dt = folder + "/dt.json"
            guard FileManager.default.fileExists(atPath: gt), FileManager.default.fileExists(atPath: dt) else {
                throw ValidationError("\(folder): no gt.json/dt.json (write the cases with the reference harness cocoeval_bench.py first, see README, Benchmarks)")
            }
            var totals: [Double] = [], phases: [[Double]] = []
            var stats: [Double] = []
            for _ in 0..<max(1, repetitions) {
                let (total, parts, summary) = try timeOnce(gt: gt, dt: dt, iouType: iouType)
                totals.append(total)
                phases.append(parts)
                stats = summary.stats
            }
            let best = totals.indices.sorted { totals[$0] < totals[$1] }[totals.count / 2]
            let p = phases[best]
            print(String(format: "# %@ %@: load gt %.3f s, load results %.3f s, evaluate %.3f s, accumulate %.3f s, summarize %.4f s; AP %.6f",
                         folder, iouType.rawValue, p[0], p[1], p[2], p[3], p[4], stats[0]))
            let median = totals.sorted()[totals.count / 2]
            print(String(format: "%@cocoeval-%@-s: %.3f", extra ? "# \(pyName) " : "", iouType.rawValue, median))
            for impl in ["pycocotools", "faster-coco-eval"] {
                if let t = references["cocoeval-\(pyName)-\(iouType.rawValue)-\(impl)-s"] {
                    print(String(format: "# vs %@ (evaluate+accumulate+summarize after loading): %.2f s, ours %.1fx faster", impl, t, t / median))
                }
            }
        }
    }

    /// (iou type, case folder, case name in the Python script's output, whether the line is
    /// extra: large_segm's bbox, which the Python script also times, prints as a comment).
    private func cases() -> [(CocoEvalParams.IoUType, String, String, Bool)] {
        if FileManager.default.fileExists(atPath: caseDir + "/gt.json") {
            let name = (caseDir as NSString).lastPathComponent
            return [(.bbox, caseDir, name, false), (.segm, caseDir, name, false)]
        }
        return [(.bbox, caseDir + "/cache/large", "large", false), (.segm, caseDir + "/cache/large_segm", "large_segm", false),
                (.bbox, caseDir + "/cache/large_segm", "large_segm", true)]
    }

    private func timeOnce(gt: String, dt: String, iouType: CocoEvalParams.IoUType) throws -> (Double, [Double], CocoSummary) {
        var marks = [DispatchTime.now().uptimeNanoseconds]
        func mark() { marks.append(DispatchTime.now().uptimeNanoseconds) }
        let index = try CocoIndex(contentsOf: gt)
        mark()
        let results = try CocoResults(contentsOf: dt, groundTruth: index)
        mark()
        let evaluation = try CocoEval(groundTruth: index, results: results, params: CocoEvalParams(iouType: iouType)).evaluate()
        mark()
        let accumulation = evaluation.accumulate()
        mark()
        let summary = try accumulation.summarize()
        mark()
        let parts = (1..<marks.count).map { Double(marks[$0] - marks[$0 - 1]) * 1e-9 }
        return (parts.reduce(0, +), parts, summary)
    }

    /// `coco-json-load-s`: CocoIndex(contentsOf:) on one file, and the peak resident memory.
    private func timeIndex(_ path: String) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let index = try CocoIndex(contentsOf: path)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("# \(path): \(index.images.count) images, \(index.annotations.count) annotations, peak RSS \(usage.ru_maxrss / 1024) MiB")
        print(String(format: "coco-json-load-s: %.3f", seconds))
    }

    /// `name: seconds` lines of cocoeval_bench.py's output.
    static func readReference(_ path: String) throws -> [String: Double] {
        var values: [String: Double] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: ":")
            if parts.count == 2, let value = Double(parts[1].trimmingCharacters(in: .whitespaces)) {
                values[String(parts[0])] = value
            }
        }
        return values
    }

    private func loadAverage() -> String {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) == 3 ? String(format: "%.2f %.2f %.2f", loads[0], loads[1], loads[2]) : "unknown"
    }
}
