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
                FileManager.default.createFile(atPath: dir + "/" + name, contents: Data([1]))
            }
        }
        return dir
    }

    @Test func foldersGivePatternsAndFilesInOrder() throws {
        let dir = try Self.folder(["b.jpg", "a.PNG", "c.txt", ".hidden.jpg", "d.bmp", "sub.jpg/", "sub/", "sub/e.jpg", "f.jpeg"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A folder: its image files by name (not recursive, no hidden files, no folders), BMP
        // included so that decoding reports it rather than passing over it.
        #expect(try ImageInputs.expand([dir]) == ["a.PNG", "b.jpg", "d.bmp", "f.jpeg"].map { dir + "/" + $0 })
        // Patterns: glob(3), sorted; a file named twice is kept once, in its first place.
        #expect(try ImageInputs.expand([dir + "/sub/e.jpg", dir + "/*.jp*g"]) == [dir + "/sub/e.jpg", dir + "/b.jpg", dir + "/f.jpeg"])
        #expect(try ImageInputs.expand([dir + "/b.jpg", dir + "/?.jpg"]) == [dir + "/b.jpg"])
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
}
