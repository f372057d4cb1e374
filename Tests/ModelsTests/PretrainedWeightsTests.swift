import Foundation
import Models
import Structures
import Testing
import TestSupport

/// `torchvision://`, `open-mmlab://`, `mmcls://` and URL checkpoints resolve to local files
/// (`$SWIFTDET_WEIGHTS`, then torch's hub cache), hash-checked as torch.hub does; nothing is
/// downloaded, and a missing file names the file and where to put it.
@Suite struct PretrainedWeightsTests {
    @Test func sha256OfKnownInputs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("abc".utf8).write(to: URL(fileURLWithPath: dir + "/abc"))
        #expect(try FileDigest.sha256(dir + "/abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        try Data().write(to: URL(fileURLWithPath: dir + "/empty"))
        #expect(try FileDigest.sha256(dir + "/empty") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func schemesResolveToHashCheckedLocalFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = try TestFiles.fixture("pth/resnet50_tiny.pth")
        let digest = try FileDigest.sha256(source)
        let env = ["SWIFTDET_WEIGHTS": dir, "TORCH_HOME": dir + "/torch"]

        // A name whose hash prefix is the file's: found.
        let good = "resnet50_tiny-\(digest.prefix(8)).pth"
        try FileManager.default.copyItem(atPath: source, toPath: dir + "/" + good)
        #expect(try PretrainedWeights.locate("https://download.example.org/models/\(good)", env: env) == dir + "/" + good)
        // A plain path is used as it is.
        #expect(try PretrainedWeights.locate(source, env: env) == source)

        // Missing: the message names the file and the folders.
        do {
            _ = try PretrainedWeights.locate("open-mmlab://jhu/resnet50_gn_ws", env: env)
            Issue.record("a missing file was found")
        } catch {
            let text = "\(error)"
            #expect(text.contains("resnet50_gn_ws-15beedd8.pth") && text.contains(dir + "/torch/hub/checkpoints") && text.contains("downloads nothing"), "\(text)")
        }
        // Present under the published name but not the published bytes: refused.
        try FileManager.default.copyItem(atPath: source, toPath: dir + "/resnet50-0676ba61.pth")
        do {
            _ = try PretrainedWeights.locate("torchvision://resnet50", env: env)
            Issue.record("a file with the wrong hash was accepted")
        } catch {
            #expect("\(error)".contains("SHA-256") && "\(error)".contains("0676ba61"), "\(error)")
        }
        // Unknown names and schemes.
        #expect(throws: PretrainedWeights.NotFound.self) { try PretrainedWeights.locate("torchvision://resnet49", env: env) }
        #expect(throws: PretrainedWeights.NotFound.self) { try PretrainedWeights.locate("s3://bucket/x.pth", env: env) }
    }
}
