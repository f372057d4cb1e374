import ArgumentParser
import Datasets
import Engine
import Foundation

/// `browse-dataset CONFIG --output-dir DIR [--cfg-options ...]`: the training pipeline's
/// images with their ground truth drawn, as mmdetection's browse_dataset.py.
struct BrowseDataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "browse-dataset", abstract: "Draw the ground truth of the training pipeline's samples.")

    @Argument(help: "Config file (.py, .yaml, .json).")
    var config: String

    @Option(name: .customLong("output-dir"), help: "Where the images go.")
    var outputDir: String

    @Option(help: "Which dataloader's dataset (train_dataloader, val_dataloader, test_dataloader).")
    var split = "train_dataloader"

    @Option(help: "At most this many images.")
    var limit: Int?

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Overrides key=value (mmdetection syntax).")
    var cfgOptions: [String] = []

    func run() {
        do {
            let view = try ConfigFile.load(config, options: cfgOptions)
            guard let loaderView = try view.optionalView(split) else { throw RunnerError("the config has no \(split)") }
            let loader = try DataLoader(config: loaderView, seed: 0)
            try GroundTruthBrowser.write(loader: loader, outputDir: outputDir, limit: limit) { i, n, path in
                print("[\(i)/\(n)] \(path)")
            }
        } catch {
            ConfigFile.fail("browse-dataset", error)
        }
    }
}

BrowseDataset.main()
