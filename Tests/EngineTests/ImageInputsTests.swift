import Datasets
import Engine
import Foundation
import Testing
import TestSupport

/// `detect`'s inputs: files, folders and glob patterns, as mmdetection's inferencer takes them;
/// and a PNG through the whole inference path.
@Suite struct ImageInputsTests {
    static func folder(_ names: [String]) throws -> String {
        let dir = try ImageInferenceTests.temporaryDirectory()
        for name in names {
            if name.hasSuffix("/") {
                try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: true)
            } else {
                _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data([1]))
            }
        }
        return dir
    }

    @Test func foldersGivePatternsAndFilesInOrder() throws {
        let dir = try Self.folder(["b.jpg", "a.PNG", "c.txt", ".hidden.jpg", "d.bmp", "sub.jpg/", "sub/", "sub/e.jpg", "f.jpeg"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A folder: its image files by name (not recursive, no hidden files, no folders), BMP
        // and a broken link included so that reading reports them rather than passing over them.
        try FileManager.default.createSymbolicLink(atPath: dir + "/g.jpg", withDestinationPath: dir + "/gone.jpg")
        #expect(try ImageInputs.expand([dir]) == ["a.PNG", "b.jpg", "d.bmp", "f.jpeg", "g.jpg"].map { dir + "/" + $0 })
        // Patterns: glob(3), sorted; a file named twice is kept once, in its first place.
        #expect(try ImageInputs.expand([dir + "/sub/e.jpg", dir + "/[bf].jp*g"]) == [dir + "/sub/e.jpg", dir + "/b.jpg", dir + "/f.jpeg"])
        #expect(try ImageInputs.expand([dir + "/b.jpg", dir + "/?.jpg"]) == [dir + "/b.jpg", dir + "/g.jpg"])
        #expect(try ImageInputs.expand([dir + "/c.txt"]) == [dir + "/c.txt"])
    }

    @Test func inputsThatNameNoImageAreErrors() throws {
        let dir = try Self.folder(["notes.txt", "empty/"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: ImageInputs.Error(input: dir + "/gone.jpg", reason: "no such file or folder")) {
            try ImageInputs.expand([dir + "/gone.jpg"])
        }
        #expect(throws: ImageInputs.Error(input: dir + "/*.png", reason: "no file matches this pattern")) {
            try ImageInputs.expand([dir + "/*.png"])
        }
        do {
            _ = try ImageInputs.expand([dir + "/empty"])
            Issue.record("an empty folder was accepted")
        } catch let error as ImageInputs.Error {
            #expect(error.input == dir + "/empty" && error.description.contains("no image files"), "\(error)")
        }
    }

    /// The same photo written as PNG (lossless) gives the same detections as the JPEG it was
    /// made from: the PNG path reaches the model unchanged.
    @Test func pngGivesTheDetectionsOfTheSamePixels() throws {
        let dir = try ImageInferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (inference, _) = try ImageInferenceTests.inference(in: dir)
        let jpeg = try TestFiles.project("data/fruits_nuts/images/3.jpg")
        let png = dir + "/3.png"
        try ImageWriter.write(try ImageDecoder.load(path: jpeg), to: png)
        #expect(try ImageDecoder.load(path: png) == (try ImageDecoder.load(path: jpeg)))
        let a = try inference.predict(imagePath: jpeg).detections, b = try inference.predict(imagePath: png).detections
        #expect(a.count > 0 && a.scores == b.scores && a.labels == b.labels && a.boxes.scalars == b.boxes.scalars)
    }

    /// An image in memory gives the detections of the file it was decoded from, and a video's
    /// frames go through the model one by one into a video of the same size and frame rate
    /// whose frames are the drawn predictions (up to the codec's loss).
    @Test func imagesInMemoryAndVideos() throws {
        let dir = try ImageInferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (inference, _) = try ImageInferenceTests.inference(in: dir)
        let jpeg = try TestFiles.project("data/fruits_nuts/images/3.jpg")
        let fromFile = try inference.predict(imagePath: jpeg).detections
        let fromMemory = try inference.predict(image: try ImageDecoder.load(path: jpeg)).detections
        #expect(fromFile.count > 0 && fromFile.scores == fromMemory.scores && fromFile.boxes.scalars == fromMemory.boxes.scalars)
        #expect(throws: DatasetError.self) { try inference.batch(image: ImageU8(height: 4, width: 4, channels: 1)) }

        let input = try TestFiles.fixture("video/fruits.mp4")
        var seen: [Int] = []
        let summary = try inference.detect(video: input, to: dir + "/out.mp4", scoreThreshold: 0.05) { frame, _, fps in
            seen.append(frame)
            #expect(fps > 0)
        }
        #expect(summary.frames == 8 && seen == Array(1...8) && summary.framesPerSecond > 0)
        let inFrames = try VideoReader(path: input), outFrames = try VideoReader(path: dir + "/out.mp4")
        #expect(outFrames.width == 320 && outFrames.height == 240 && outFrames.fps == (5, 1) && outFrames.codec == "mpeg4")
        var n = 0
        while let frame = try inFrames.next(), let written = try outFrames.next() {
            let drawn = inference.drawn(try inference.predict(image: frame), scoreThreshold: 0.05)
            // The codec blurs thin lines and text: compare 8x8 block means, and check that the
            // written frame is far closer to the drawing than to the undrawn frame.
            let toDrawn = Self.blockDiff(written, drawn), toFrame = Self.blockDiff(written, frame)
            #expect(toDrawn < 2 && toDrawn < toFrame / 4, "frame \(n): \(toDrawn) to the drawing, \(toFrame) to the frame")
            n += 1
        }
        let after = try outFrames.next()
        #expect(n == 8 && after == nil)
    }

    /// Mean absolute difference of the 8x8 block means of two same-size BGR images.
    static func blockDiff(_ a: ImageU8, _ b: ImageU8) -> Double {
        var total = 0.0, blocks = 0
        for by in stride(from: 0, to: a.height - 7, by: 8) {
            for bx in stride(from: 0, to: a.width - 7, by: 8) {
                for c in 0..<3 {
                    var sa = 0, sb = 0
                    for y in by..<(by + 8) { for x in bx..<(bx + 8) { sa += Int(a[y, x, c]); sb += Int(b[y, x, c]) } }
                    total += abs(Double(sa - sb)) / 64
                    blocks += 1
                }
            }
        }
        return total / Double(blocks)
    }
}
