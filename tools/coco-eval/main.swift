import ArgumentParser
import Evaluation
import Foundation
import Structures

/// Evaluates a detection results file against COCO ground truth, printing pycocotools'
/// 12-line summary (and mmdetection's classwise table), like
/// `COCO(gt).loadRes(dt)` + `COCOeval(...).evaluate(); accumulate(); summarize()`.
struct CocoEvalTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coco-eval",
        abstract: "COCO box or mask AP of a results file, exactly as pycocotools computes it.")

    @Argument(help: "COCO instances ground truth (JSON).")
    var annotations: String

    @Argument(help: "Detection results (JSON list, as mmdetection or detectron2 write them).")
    var results: String

    @Option(name: .customLong("iou-type"), help: "bbox or segm.")
    var iouType: CocoEvalParams.IoUType = .bbox

    @Flag(help: "Also print the per-category AP table (mmdetection's classwise=True).")
    var classwise = false

    @Option(name: .customLong("json"), help: "Write {\"stats\": [12 numbers], \"per_category\": {...}} here (full precision).")
    var jsonOut: String?

    @Flag(help: "Accept what pycocotools tolerates: results of unknown categories are ignored, masks of another size than their image never match.")
    var lenient = false

    func run() throws {
        do {
            let policy: ResultsPolicy = lenient ? .pycocotools : .strict
            let gt = try CocoIndex(contentsOf: annotations)
            let dt = try CocoResults(contentsOf: results, groundTruth: gt, policy: policy)
            let accumulation = try CocoEval(groundTruth: gt, results: dt, params: CocoEvalParams(iouType: iouType), policy: policy)
                .evaluate().accumulate()
            let summary = try accumulation.summarize()
            print(summary.text)
            let names = Dictionary(gt.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let rows = accumulation.perCategory(names: names)
            if classwise { print(ClasswiseTable.render(rows)) }
            if let jsonOut { try ResultsWriter.writeAtomically(Array(Self.json(summary, rows).utf8), to: jsonOut) }
        } catch let error as StructuresError {
            fail(error.description)
        } catch let error as EvaluationError {
            fail(error.description)
        }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data(("coco-eval: " + message + "\n").utf8))
        Foundation.exit(1)
    }

    /// Stats and per-category numbers in shortest round-trip form (full double precision).
    static func json(_ summary: CocoSummary, _ rows: [CategoryAP]) -> String {
        func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "NaN" }
        func quoted(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        let stats = summary.stats.map(number).joined(separator: ", ")
        let categories = rows.map { row in
            "    \(quoted(String(row.categoryId))): {\"name\": \(quoted(row.name)), \"ap\": \(number(row.ap)), "
                + "\"ap50\": \(number(row.ap50)), \"ap75\": \(number(row.ap75)), \"ap_s\": \(number(row.apSmall)), "
                + "\"ap_m\": \(number(row.apMedium)), \"ap_l\": \(number(row.apLarge)), \"ar100\": \(number(row.ar100))}"
        }.joined(separator: ",\n")
        return "{\n  \"stats\": [\(stats)],\n  \"per_category\": {\n\(categories)\n  }\n}\n"
    }
}

extension CocoEvalParams.IoUType: ExpressibleByArgument {}

CocoEvalTool.main()
