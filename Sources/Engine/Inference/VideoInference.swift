import Datasets
import Foundation

extension ImageInference {
    /// What `detect(video:to:)` did.
    public struct VideoSummary: Sendable {
        public var frames: Int
        /// Seconds spent on the frames (decoding, prediction, drawing, encoding).
        public var seconds: Double
        /// Processed frames per second.
        public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
    }

    /// mmdetection's `demo/video_demo.py`: every frame of `input` through the model, its
    /// detections scoring at least `scoreThreshold` drawn, written to `output` (MPEG-4 'mp4v'
    /// at the input's size and frame rate; see `VideoWriter`). `progress` sees each frame's
    /// number (from 1), its detection count and the frames per second so far.
    @discardableResult
    public func detect(video input: String, to output: String, scoreThreshold: Float,
                       progress: (Int, Int, Double) -> Void = { _, _, _ in }) throws -> VideoSummary {
        let reader = try VideoReader(path: input)
        guard reader.fps.numerator > 0, reader.fps.denominator > 0 else {
            throw VideoError(path: input, reason: "the video gives no frame rate")
        }
        let writer = try VideoWriter(path: output, width: reader.width, height: reader.height, fps: reader.fps)
        var summary = VideoSummary(frames: 0, seconds: 0)
        let start = Date()
        while let frame = try reader.next() {
            let prediction = try predict(image: frame, imageId: summary.frames)
            try writer.write(drawn(prediction, scoreThreshold: scoreThreshold))
            summary.frames += 1
            summary.seconds = Date().timeIntervalSince(start)
            progress(summary.frames, prediction.detections.keeping(scoreAtLeast: scoreThreshold).count, summary.framesPerSecond)
        }
        guard summary.frames > 0 else { throw VideoError(path: input, reason: "the video has no frames") }
        try writer.finish()
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}
