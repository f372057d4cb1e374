import ArgumentParser
import Config
import Engine
import Foundation
import Models

/// `get-flops CONFIG [--shape H W] [--num-images N] [--depth D] [--cfg-options k=v ...]`:
/// mmdetection's tools/analysis_tools/get_flops.py. FLOPs are multiply-adds counted as
/// mmengine counts them; the table lists each module down to --depth levels.
@main
struct GetFlops: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get-flops", abstract: "Count a detector's FLOPs (multiply-adds) and parameters, per module.",
        discussion: """
            FLOPs follow mmengine's get_model_complexity_info (fvcore's rules): one FLOP is one \
            multiply-add; convolutions, linear layers, batch and group norms and nearest upsampling \
            count, bias, ReLU, pooling, residual adds, RoIAlign and post-processing do not. The model \
            predicts in eval mode (RPN proposals, the RoI box head on them, the mask head on the \
            detections), so a detector's count depends on its input. mmdetection runs the mask head \
            on the first 100 proposals instead (its 'tensor' mode): the same count when the model \
            keeps 100 detections; the backbone, neck and RPN count alike.

            Inputs: the first --num-images images of val_dataloader through its pipeline and the \
            preprocessor, FLOPs averaged over them (mmdetection's way); or, with --shape H W, one \
            random image of that size, padded to the preprocessor's size divisor. The weights are \
            the config's initialisation (no checkpoint is needed: counts do not depend on them, \
            except through the number of detections).
            """)

    @Argument(help: "Config file (.py, .yaml, .json).")
    var config: String

    @Option(parsing: .upToNextOption, help: "Input size H W (a random image) instead of dataset images.")
    var shape: [Int] = []

    @Option(name: .customLong("num-images"), help: "Dataset images to average over.")
    var numImages = 100

    @Option(help: "Table depth (module levels below the model).")
    var depth = 3

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Overrides key=value (mmdetection syntax).")
    var cfgOptions: [String] = []

    func validate() throws {
        guard shape.isEmpty || shape.count == 2 || shape.count == 1 else { throw ValidationError("--shape takes H W (or one size for both)") }
        guard numImages >= 1 else { throw ValidationError("--num-images must be at least 1") }
        guard (0...20).contains(depth) else { throw ValidationError("--depth must be 0 to 20") }
    }

    func run() throws {
        do {
            var view = try ConfigFile.load(config, options: cfgOptions)
            var model = try ModelRegistry.detectors.build(try view.view("model"))
            do {
                try model.initWeights(seed: 0)
            } catch {
                // Counts do not need pretrained weights: initialise from scratch instead.
                print("get-flops: initialising without the backbone's pretrained weights (\(error))")
                view = try ConfigFile.load(config, options: cfgOptions + ["model.backbone.init_cfg=None"])
                model = try ModelRegistry.detectors.build(try view.view("model"))
                try model.initWeights(seed: 0)
            }
            let batches = shape.isEmpty
                ? try ModelComplexity.datasetBatches(config: view, count: numImages)
                : [try ModelComplexity.randomBatch(config: view, height: shape[0], width: shape.last!)]
            let report = try ModelComplexity.measure(model: model, batches: batches, depth: depth)
            print(report.table())
            let line = String(repeating: "=", count: 30)
            let (h, w) = report.inputShape, (ph, pw) = report.paddedShape
            if (h, w) != (ph, pw) {
                print("\(line)\nUse size divisor set input shape from (\(h), \(w)) to (\(ph), \(pw))")
            }
            print(line)
            print(shape.isEmpty ? "Compute type: dataloader: load a picture from the dataset (\(report.inputs) images averaged)"
                                : "Compute type: --shape: a random image of that size")
            print("Input shape: (\(ph), \(pw))")
            print("Flops: \(ModelComplexity.format(report.flops))")
            print("Params: \(ModelComplexity.format(report.parameters))")
            print(line)
        } catch {
            FileHandle.standardError.write(Data("get-flops: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
