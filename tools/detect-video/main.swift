import ArgumentParser
import Config
import Datasets
import Engine
import Foundation

/// `detect-video VIDEO CONFIG CHECKPOINT --out OUT.mp4 [--score-thr T] [--cfg-options ...]`:
/// mmdetection's demo/video_demo.py.
@main
struct DetectVideo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect-video", abstract: "Run a detector on every frame of a video; write the video with its detections drawn.",
        discussion: """
            VIDEO is read through FFmpeg (any container and codec Debian's FFmpeg decodes). Each \
            frame goes through the config's test pipeline (without its loading step) and the model; \
            the detections scoring at least --score-thr are drawn as `detect` draws them. OUT gets \
            MPEG-4 Part 2 video (OpenCV's 'mp4v', as mmdetection writes) at VIDEO's size and frame \
            rate, in the container its extension names (.mp4, .avi, .mkv, .mov); it appears only \
            when complete. Prints the progress and the frames processed per second.
            """)

    @Argument(help: "Input video file.")
    var video: String

    @Argument(help: "Config file (.py, .yaml, .json).")
    var config: String

    @Argument(help: "Checkpoint (.pth or safetensors, mmdetection key names).")
    var checkpoint: String

    @Option(help: "Output video (.mp4, .avi, .mkv, .mov).")
    var out: String

    @Option(name: .customLong("score-thr"), help: "Draw detections with score >= this.")
    var scoreThr: Float = 0.3

    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Overrides key=value (mmdetection syntax).")
    var cfgOptions: [String] = []

    func validate() throws {
        guard !scoreThr.isNaN else { throw ValidationError("--score-thr nan would draw no detection: give a number") }
        let (input, output) = (URL(fileURLWithPath: video).standardizedFileURL.resolvingSymlinksInPath(),
                               URL(fileURLWithPath: out).standardizedFileURL.resolvingSymlinksInPath())
        guard input.path != output.path else { throw ValidationError("--out \(out) is the input video: it would be overwritten") }
    }

    func run() throws {
        do {
            let view = try ConfigFile.load(config, options: cfgOptions)
            let inference = try ImageInference(config: view, checkpoint: checkpoint)
            let reader = try VideoReader(path: video)
            print(String(format: "detect-video: %@: %dx%d, %.3f frames/s, %@%@", video, reader.width, reader.height,
                         reader.framesPerSecond, reader.codec, reader.declaredFrames.map { ", \($0) frames" } ?? ""))
            let total = reader.declaredFrames.map { "/\($0)" } ?? ""
            let summary = try inference.detect(video: video, to: out, scoreThreshold: scoreThr) { frame, count, fps in
                print(String(format: "frame %d%@: %d detections, %.2f frames/s", frame, total, count, fps))
            }
            print(String(format: "detect-video: %d frames in %.1f s (%.2f frames/s) -> %@", summary.frames, summary.seconds,
                         summary.framesPerSecond, out))
        } catch {
            FileHandle.standardError.write(Data("detect-video: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
