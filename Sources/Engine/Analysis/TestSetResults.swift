import Config
import Datasets
import Evaluation
import Foundation
import Structures

/// What the analysis tools read: the config's test dataset, its annotation file and the
/// detections on it, either from a COCO results file (as `test --out` writes it; mmdetection's
/// tools take its `.pkl`) or made by running a checkpoint over the test set.
public struct TestSetResults {
    public let dataset: any DetectionDataset
    public let groundTruth: CocoIndex
    public let results: CocoResults

    public init(dataset: any DetectionDataset, groundTruth: CocoIndex, results: CocoResults) {
        self.dataset = dataset
        self.groundTruth = groundTruth
        self.results = results
    }

    /// The test dataset of `config` (`test_dataloader.dataset`) with the detections of
    /// `resultsFile`, or else those of the model with `checkpoint`'s weights (run through the
    /// Runner as `test` runs it, logging to the console only).
    public static func load(config: ConfigView, configPath: String, checkpoint: String?, resultsFile: String?) throws -> TestSetResults {
        let loader = try DataLoader(config: try config.view("test_dataloader"), seed: 0)
        let dataset = loader.dataset
        let groundTruth = try CocoDataset.readIndex(dataset.source)
        if let resultsFile {
            return TestSetResults(dataset: dataset, groundTruth: groundTruth,
                                  results: try CocoResults(contentsOf: resultsFile, groundTruth: groundTruth))
        }
        guard let checkpoint else { throw RunnerError("give a CHECKPOINT or --results FILE.json") }
        var options = RunOptions()
        options.seed = 0
        options.workDir = NSTemporaryDirectory() + "swiftdet-analysis-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: options.workDir!) }
        let runner = try Runner(config: config, configPath: configPath, options: options, logToFiles: false)
        let records = try runner.testRecords(checkpoint: checkpoint)
        return TestSetResults(dataset: dataset, groundTruth: groundTruth,
                              results: try CocoResults(records: records, groundTruth: groundTruth))
    }

    /// The detections of each image id, in file order.
    public func detectionsByImage() -> [Int: [CocoDetection]] {
        Dictionary(grouping: results.detections, by: \.imageId)
    }

    /// The label of a category id (the dataset's label order).
    public func label(ofCategory id: Int) -> Int? { dataset.categoryIds.firstIndex(of: id) }
}
